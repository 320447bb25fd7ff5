"""Rows → the JSON of schemas.py. Only public fields, and for people only what the pages show: the name a
participant publishes under (or nothing when moderation hid the content). Never an e-mail address."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from consult.api.models import ApiToken
from consult.organizations.models import Organization
from consult.participation.models import (
    OUTCOME_LABELS,
    Brief,
    BriefAttachment,
    BriefPosition,
    Comment,
    Disposition,
    ProposedNeed,
)
from consult.projects.kinds import KINDS
from consult.projects.models import ClinicalProject, ProjectStep, StepVersion, VersionItem
from consult.rounds.models import ConsultationRound, RoundInvitation
from consult.territories.models import Establishment, TerritoryNode


def stamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, what every JSON reader parses."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def link(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def named(thing: Any) -> dict[str, Any]:
    return {"id": thing.id, "name": getattr(thing, "name", None) or getattr(thing, "title", "")}


def author_name(user: Any) -> str:
    """As the comment macros show it: the public name, or "Former participant" for a deleted account."""
    return user.public_name if user is not None else str(_l("Former participant"))


# Territories, establishments, organizations ------------------------------------------------------------


def territory_ref(node: TerritoryNode) -> dict[str, Any]:
    return {"id": node.id, "code": node.code, "name": node.name, "level": node.level.value}


def territory(node: TerritoryNode) -> dict[str, Any]:
    return {"id": node.id, "code": node.code, "name": node.name, "level": node.level.value,
            "level_label": node.level_label, "parent_id": node.parent_id}


def establishment(found: Establishment) -> dict[str, Any]:
    return {"id": found.id, "name": found.name, "kind": found.kind, "formed_voluntarily": found.formed_voluntarily,
            "region": territory_ref(found.region) if found.region else None,
            "territories": [territory_ref(t) for t in found.territories]}


def organization(found: Organization, member_of: list[Organization], members: list[Organization]) -> dict[str, Any]:
    return {"id": found.id, "name": found.name, "kind": found.kind.value, "kind_label": found.kind_label,
            "legal_name": found.legal_name or None, "neq": found.neq or None, "mission": found.mission or None,
            "website": found.website or None, "verified": found.is_verified,
            "territories": [territory_ref(t) for t in found.territories],
            "programmes": found.programme_codes,
            "member_of": [named(o) for o in member_of], "members": [named(o) for o in members],
            "url": link("organizations.show", organization_id=found.id)}


# Projects and versions ------------------------------------------------------------------------------------


def step(found: ProjectStep) -> dict[str, Any]:
    return {"number": found.number, "title": found.title, "state": found.state.value,
            "state_label": found.state_label, "latest_version_id": found.latest_version_id}


def project(found: ClinicalProject, lang: str) -> dict[str, Any]:
    return {"id": found.id, "title": found.title, "summary": found.summary or None, "status": found.status.value,
            "status_label": found.status_label, "start_date": day(found.start_date), "end_date": day(found.end_date),
            "establishment": named(found.establishment),
            "programme": {"code": found.programme.code, "name": found.programme.name_for(lang)},
            "territories": [territory_ref(t) for t in found.territories],
            "steps": [step(s) for s in found.steps], "url": link("projects.project", project_id=found.id)}


def version(found: StepVersion, counts: dict[str, int]) -> dict[str, Any]:
    owner = found.step
    return {"id": found.id, "project": named(owner.project),
            "step": {"number": owner.number, "title": owner.title}, "number": found.number,
            "purpose": found.purpose if found.purpose in ("consultation", "adopted") else "consultation",
            "published_at": stamp(found.published_at), "summary": found.summary or None,
            "item_count": found.item_count, "counts": counts,
            "url": link("projects.version", project_id=owner.project_id, number=owner.number,
                        version=found.number)}


def item_title(found: VersionItem) -> str:
    spec = KINDS.get(found.kind)
    return spec.label_of(found.data) if spec else ""


def item(found: VersionItem) -> dict[str, Any]:
    return {"version_id": found.version_id, "uid": found.uid, "kind": found.kind, "position": found.position,
            "title": item_title(found), "data": found.data,
            "url": link("projects.version_item", version_id=found.version_id, uid=found.uid)}


def round_item(found: VersionItem, round_: ConsultationRound, step_number: int, supports: int,
               comments: int) -> dict[str, Any]:
    return {"version_id": found.version_id, "step_number": step_number, "uid": found.uid, "kind": found.kind,
            "position": found.position, "title": item_title(found), "data": found.data, "supports": supports,
            "comments": comments, "url": link("participation.item", round_id=round_.id,
                                              version_id=found.version_id, uid=found.uid)}


# Rounds ------------------------------------------------------------------------------------------------------


def invitation(found: RoundInvitation) -> dict[str, Any]:
    return {"party": found.party_name, "organization_id": found.organization_id,
            "is_establishment": found.establishment_id is not None, "state": found.state.value,
            "state_label": found.state_label, "reason": found.reason or None,
            "answered_at": stamp(found.answered_at)}


def round_(found: ConsultationRound) -> dict[str, Any]:
    return {"id": found.id, "title": found.title, "mandate": found.mandate,
            "participation_level": found.participation_level.value, "participation_level_label": found.level_label,
            "budgets_in_scope": found.budgets_in_scope, "audience": found.audience.value,
            "opens_at": stamp(found.opens_at), "closes_at": stamp(found.closes_at), "state": found.state.value,
            "state_label": found.state_label, "project": named(found.project),
            "establishment": named(found.project.establishment),
            "versions": [{"id": v.id, "step_number": v.step.number, "number": v.number} for v in found.versions],
            "questions": [{"step_number": q.step_number, "text": q.text} for q in found.questions],
            "invitations": [invitation(i) for i in found.invitations],
            "url": link("rounds.show", round_id=found.id),
            "open_data_url": link("api_pages.open_data", round_id=found.id)}


# Participation -----------------------------------------------------------------------------------------------


def comment(found: Comment) -> dict[str, Any]:
    hidden = found.is_hidden
    return {"id": found.id, "round_id": found.round_id, "version_id": found.version_id,
            "item_uid": found.item_uid, "item_kind": found.item_kind, "parent_id": found.parent_id,
            "root_id": found.root_id or found.id, "author": None if hidden else author_name(found.author),
            "body": None if hidden else found.body, "hidden": hidden,
            "hidden_reason": (found.hidden_reason or "") if hidden else None,
            "created_at": stamp(found.created_at), "edited_at": stamp(found.edited_at),
            "reply_count": found.reply_count if found.parent_id is None else 0,
            "url": link("participation.replies", comment_id=found.root_id or found.id,
                        _anchor=f"comment-{found.id}")}


def proposed_need(found: ProposedNeed) -> dict[str, Any]:
    hidden = found.is_hidden
    return {"id": found.id, "round_id": found.round_id, "version_id": found.version_id,
            "title": None if hidden else found.title, "description": None if hidden else found.description,
            "area": territory_ref(found.area) if found.area and not hidden else None, "state": found.state.value,
            "state_label": found.state_label, "accepted_need_uid": found.accepted_need_uid,
            "author": None if hidden else author_name(found.author), "hidden": hidden,
            "hidden_reason": (found.hidden_reason or "") if hidden else None,
            "created_at": stamp(found.created_at),
            "url": link("participation.proposed_need", proposed_need_id=found.id)}


def position(found: BriefPosition) -> dict[str, Any]:
    return {"version_id": found.version_id, "item_uid": found.item_uid, "item_kind": found.item_kind,
            "stance": found.stance.value, "text": found.text or None}


def attachment(found: BriefAttachment) -> dict[str, Any]:
    return {"id": found.id, "filename": found.filename, "media_type": found.media_type, "size": found.size,
            "url": link("participation.attachment", brief_id=found.brief_id, attachment_id=found.id)}


def brief(found: Brief) -> dict[str, Any]:
    hidden = found.is_hidden
    return {"id": found.id, "round_id": found.round_id, "organization": named(found.organization),
            "cosigners": [named(c.organization) for c in found.signatories],
            "title": None if hidden else found.title, "summary": None if hidden else (found.summary or None),
            "body": None if hidden else (found.body or None), "submitted_at": stamp(found.submitted_at),
            "digest": found.digest, "hidden": hidden, "hidden_reason": (found.hidden_reason or "") if hidden else None,
            "positions": [] if hidden else [position(p) for p in found.positions],
            "attachments": [] if hidden else [attachment(a) for a in found.attachments],
            "url": link("participation.brief", brief_id=found.id)}


def receipt(found: Brief) -> dict[str, Any]:
    return {"id": found.id, "round_id": found.round_id, "organization": named(found.organization),
            "title": found.title, "visibility": found.visibility.value, "state": found.state.value,
            "submitted_at": stamp(found.submitted_at), "digest": found.digest or "",
            "positions": [position(p) for p in found.positions],
            "attachments": [attachment(a) for a in found.attachments],
            "url": link("participation.brief", brief_id=found.id)}


def answer(found: Disposition) -> dict[str, Any]:
    return {"input_kind": found.input_kind.value, "input_id": found.input_id, "outcome": found.outcome.value,
            "outcome_label": str(OUTCOME_LABELS[found.outcome]), "reason": found.reason,
            "answered_at": stamp(found.answered_at)}


def me(token: ApiToken) -> dict[str, Any]:
    return {"user": {"id": token.user.id, "name": token.user.public_name},
            "token": {"name": token.name, "prefix": token.prefix, "scope": token.scope.value,
                      "created_at": stamp(token.created_at), "last_used_at": stamp(token.last_used_at),
                      "expires_at": stamp(token.expires_at)}}
