"""The rules of tagging: putting a tag on an input, confirming or rejecting a suggestion, the local code lists
of an establishment (added and retired, never deleted), a project's population rule, and what the equity
lens holds about a person (Law 25). Services flush, never commit.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from consult.accounts.models import User
from consult.accounts.privacy import exporter
from consult.core.db import db, now_utc
from consult.equity import taxonomy
from consult.equity.models import (
    JUSTIFICATION_MAX,
    EquitySettings,
    InputTag,
    LocalGroup,
    LocalTag,
    TagOrigin,
    TagState,
    Target,
)
from consult.participation.models import Brief, BriefState, Comment, InputKind, ProposedNeed
from consult.projects.models import ClinicalProject
from consult.territories.models import Establishment

DEFAULT_KEYWORD = "population"
DEFAULT_THRESHOLD = 0.5
DECISIONS = ("confirm", "reject")


class TaggingError(Exception):
    """A tagging request that cannot be done; the message is for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_text(text: str | None) -> str:
    """Composed Unicode on one line or several, control characters dropped, trimmed."""
    value = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


# ------------------------------------------------------------------------------------------------ inputs


def load_target(kind: InputKind, input_id: int) -> Target | None:
    model = {InputKind.brief: Brief, InputKind.comment: Comment, InputKind.proposed_need: ProposedNeed}[kind]
    obj = db.session.get(model, input_id)
    return Target(kind, obj) if obj is not None else None


def input_text(kind: InputKind, obj: Any) -> str:
    """The words of an input that suggestions read: a brief's title, summary and body; a comment's body;
    a proposed need's title and description."""
    if kind is InputKind.brief:
        return "\n\n".join(part for part in (obj.title, obj.summary, obj.body) if part)
    if kind is InputKind.comment:
        return obj.body or ""
    return "\n\n".join(part for part in (obj.title, obj.description) if part)


def tags_of(target: Target) -> list[InputTag]:
    """The tags of one input: confirmed first, then suggestions (best first), then rejected ones."""
    rows = db.session.scalars(select(InputTag).where(InputTag.input_kind == target.kind,
                                                     InputTag.input_id == target.id))
    order = {TagState.confirmed: 0, TagState.suggested: 1, TagState.rejected: 2}
    return sorted(rows, key=lambda r: (order[r.state], -(r.score or 0), r.tag))


def _row(target: Target, key: str) -> InputTag | None:
    return db.session.scalar(select(InputTag).where(InputTag.input_kind == target.kind,
                                                    InputTag.input_id == target.id, InputTag.tag == key))


def _justification(text: str | None) -> str | None:
    value = clean_text(text)
    if len(value) > JUSTIFICATION_MAX:
        raise TaggingError(_("Use at most %(max)d characters for the justification (now %(count)d).",
                             max=JUSTIFICATION_MAX, count=len(value)))
    return value or None


def add_tag(target: Target, key: str, justification: str | None, user: User) -> InputTag:
    """A person puts a tag on an input: confirmed at once. A suggestion of the same tag becomes confirmed;
    a tag rejected earlier is confirmed again (the person's latest decision holds)."""
    if target.kind is InputKind.brief and target.obj.state is BriefState.withdrawn:
        raise TaggingError(_("This brief was withdrawn: it can no longer be tagged."))
    if key not in {info.key for info in taxonomy.available(target.round.establishment_id)}:
        raise TaggingError(_("Choose a tag of the list: this one is retired or unknown."))
    text = _justification(justification)
    now = now_utc()
    row = _row(target, key)
    if row is None:
        row = InputTag(round_id=target.round.id, input_kind=target.kind, input_id=target.id, tag=key,
                       origin=TagOrigin.person, created_by_id=user.id, created_at=now)
        db.session.add(row)
    row.state = TagState.confirmed
    row.justification = text if text is not None else row.justification
    row.decided_by_id = user.id
    row.decided_at = now
    db.session.flush()
    return row


def decide(row: InputTag, decision: str, user: User, justification: str | None = None) -> InputTag:
    """Confirm or reject a tag of an input (a suggestion, or a tag put earlier: rejecting takes it back).
    The row stays, so the pipeline never suggests a rejected tag again."""
    if decision not in DECISIONS:
        raise TaggingError(_("Choose whether to confirm or reject the tag."))
    text = _justification(justification)
    row.state = TagState.confirmed if decision == "confirm" else TagState.rejected
    if text is not None:
        row.justification = text
    row.decided_by_id = user.id
    row.decided_at = now_utc()
    db.session.flush()
    return row


def tag_of_input(target: Target, tag_id: int | None) -> InputTag | None:
    """One tag row of this input, or None (a tag of another input is not found)."""
    if tag_id is None:
        return None
    row = db.session.get(InputTag, tag_id)
    if row is None or row.input_kind is not target.kind or row.input_id != target.id:
        return None
    return row


# ------------------------------------------------------------------------------------------ local tags

_CODE = re.compile(r"[^a-z0-9]+")


def code_of(text: str) -> str:
    """A short code from a label: "Proches aidants" → "proches-aidants"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _CODE.sub("-", ascii_only).strip("-")[:40]


def add_local_tag(establishment: Establishment, data: dict[str, Any], user: User) -> LocalTag:
    """A planner adds a tag to the establishment's taxonomy. Its code is unique in the establishment, retired
    tags included (their code stays theirs)."""
    label_fr = clean_text(data.get("label_fr"))
    label_en = clean_text(data.get("label_en")) or label_fr
    code = code_of(clean_text(data.get("code")) or label_fr)
    if not label_fr or not code:
        raise TaggingError(_("Give the tag a French label."))
    taken = db.session.scalar(select(LocalTag.id).where(LocalTag.establishment_id == establishment.id,
                                                        LocalTag.code == code))
    if taken is not None:
        raise TaggingError(_("The code “%(code)s” is already used by a tag of this establishment, perhaps a "
                             "retired one. Choose another.", code=code))
    group = data.get("group")
    group = group if isinstance(group, LocalGroup) else LocalGroup(group or "local")
    tag = LocalTag(establishment_id=establishment.id, group=group, code=code, label_fr=label_fr[:120],
                   label_en=label_en[:120],
                   list_name=(clean_text(data.get("list_name")) or None) if group is LocalGroup.local else None,
                   keywords_fr=clean_text(data.get("keywords_fr")), keywords_en=clean_text(data.get("keywords_en")),
                   created_by_id=user.id)
    db.session.add(tag)
    db.session.flush()
    return tag


def retire_local_tag(tag: LocalTag, user: User) -> None:
    """Not offered any more, never suggested again; still shown, marked retired, on inputs that carry it."""
    if tag.retired_at is None:
        tag.retired_at = now_utc()
        tag.retired_by_id = user.id
        db.session.flush()


def reinstate_local_tag(tag: LocalTag) -> None:
    tag.retired_at = None
    tag.retired_by_id = None
    db.session.flush()


# ------------------------------------------------------------------------------------------- settings


def settings_for(project: ClinicalProject) -> EquitySettings:
    """The project's rule, or the defaults (not added to the session) when it has none."""
    found = db.session.get(EquitySettings, project.id)
    if found is not None:
        return found
    from flask import current_app

    return EquitySettings(project_id=project.id,
                          population_keyword=current_app.config.get("CONSULT_EQUITY_POPULATION_KEYWORD",
                                                                    DEFAULT_KEYWORD),
                          threshold=float(current_app.config.get("CONSULT_EQUITY_UNDER_REPRESENTED",
                                                                 DEFAULT_THRESHOLD)))


def save_settings(project: ClinicalProject, keyword: str, threshold: float, user: User) -> EquitySettings:
    keyword = " ".join(clean_text(keyword).split())
    if not keyword:
        raise TaggingError(_("Give the word that names population figures."))
    if not 0 < threshold <= 1:
        raise TaggingError(_("The threshold is a number above 0 and at most 1."))
    found = db.session.get(EquitySettings, project.id)
    if found is None:
        found = EquitySettings(project_id=project.id)
        db.session.add(found)
    found.population_keyword = keyword[:60]
    found.threshold = threshold
    found.updated_by_id = user.id
    db.session.flush()
    return found


# ----------------------------------------------------------------------------------------- Law 25


@exporter("equity_tags")
def _export(user: User) -> list[dict[str, Any]]:
    """Tags this person put or decided on, with the justification they wrote."""
    rows = db.session.scalars(select(InputTag).where((InputTag.created_by_id == user.id)
                                                     | (InputTag.decided_by_id == user.id))
                              .order_by(InputTag.id))
    return [{"round": r.round_id, "input_kind": r.input_kind.value, "input_id": r.input_id, "tag": r.tag,
             "state": r.state.value, "justification": r.justification, "put_at": r.created_at,
             "decided_at": r.decided_at} for r in rows]
