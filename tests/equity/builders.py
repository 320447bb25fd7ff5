"""Rows the equity tests share: inputs of the `consultation` fixture's round, population figures in its needs
portrait, and residents with or without a consented profile who took part."""

from __future__ import annotations

import uuid

from consult.core.db import db, now_utc
from consult.equity.models import InputTag, LocalGroup, LocalTag, TagOrigin, TagState
from consult.organizations.models import OrganizationMember
from consult.participation.models import (
    Brief,
    BriefState,
    BriefVisibility,
    Comment,
    InputKind,
    ParticipantProfile,
    ProposedNeed,
    Support,
)
from consult.projects.models import VersionItem
from consult.territories.models import Level, TerritoryNode


def brief(c, *, organization=None, author=None, state: BriefState = BriefState.submitted,
          visibility: BriefVisibility = BriefVisibility.public, body: str = "Beaucoup d'aînés vivent seuls.",
          title: str = "Mémoire du Carrefour") -> Brief:
    made = Brief(round_id=c.round.id, organization=organization or c.organization,
                 author=author if author is not None else c.representative, title=title, summary="Résumé.",
                 body=body, visibility=visibility, state=state,
                 submitted_at=now_utc() if state is not BriefState.draft else None)
    db.session.add(made)
    db.session.commit()
    return made


def comment(c, author, body: str = "Je me sens seule depuis que mon mari est décédé.", *, uid: str | None = None,
            hidden: bool = False, parent: Comment | None = None, on_gap: bool = False) -> Comment:
    made = Comment(round_id=c.round.id, version_id=(c.gaps_version if on_gap else c.needs_version).id,
                   item_uid=c.gap_uid if on_gap else uid or c.need_uid, item_kind="gap" if on_gap else "need",
                   author=author, body=body, parent_id=parent.id if parent else None,
                   hidden_at=now_utc() if hidden else None, hidden_reason="Propos injurieux." if hidden else None)
    db.session.add(made)
    db.session.flush()
    made.root_id = parent.root_id if parent else made.id
    db.session.commit()
    return made


def proposed(c, author, title: str = "Répit de nuit", description: str = "Les proches aidants n'ont aucun répit.",
             ) -> ProposedNeed:
    made = ProposedNeed(round_id=c.round.id, version_id=c.needs_version.id, author=author, title=title,
                        description=description)
    db.session.add(made)
    db.session.commit()
    return made


def tag(c, kind: InputKind, input_id: int, key: str, state: TagState = TagState.confirmed,
        origin: TagOrigin = TagOrigin.person, score: float | None = None) -> InputTag:
    row = InputTag(round_id=c.round.id, input_kind=kind, input_id=input_id, tag=key, state=state, origin=origin,
                   score=score)
    db.session.add(row)
    db.session.commit()
    return row


def local_tag(establishment, label_fr: str = "Proches aidants", *, retired: bool = False,
              keywords_fr: str = "proche* aidant*", group: LocalGroup = LocalGroup.local) -> LocalTag:
    made = LocalTag(establishment_id=establishment.id, group=group, list_name="Priorités", code=label_fr.lower()[:40],
                    label_fr=label_fr, label_en="Caregivers", keywords_fr=keywords_fr, keywords_en="caregiver*",
                    retired_at=now_utc() if retired else None)
    db.session.add(made)
    db.session.commit()
    return made


def second_area(c, code: str = "06111-02", name: str = "Quartier latin") -> TerritoryNode:
    node = TerritoryNode(code=code, name=name, level=Level.neighbourhood, parent=c.area.parent)
    db.session.add(node)
    db.session.commit()
    return node


def population(c, rows: list[tuple[TerritoryNode, str, float]], *, unit: str = "personnes", year: int = 2021) -> None:
    """Indicators added to the round's needs-portrait version (test data: a real version is frozen by
    publishing; these tests need only its items)."""
    start = 1000
    for index, (node, name, value) in enumerate(rows):
        data = {"name": name, "unit": unit, "value": value, "year": year,
                "territory": {"code": node.code, "name": node.name}, "source": "Recensement 2021"}
        db.session.add(VersionItem(version_id=c.needs_version.id, kind="indicator", uid=str(uuid.uuid4()),
                                   position=start + index, data=data))
    db.session.commit()


def resident(make_user, c, *, area: TerritoryNode | None = None, age: str | None = None, gender: str | None = None,
             group: str | None = None, profile: bool = True, comments: int = 0, supports: bool = True):
    """A person who took part (a support, and `comments` comments) with a consented profile unless
    `profile` is False."""
    user = make_user()
    if profile:
        db.session.add(ParticipantProfile(user_id=user.id, age_band=age, gender=gender,
                                          area_id=area.id if area else None, population_group=group))
    if supports:
        db.session.add(Support(round_id=c.round.id, version_id=c.needs_version.id, item_uid=c.need_uid,
                               item_kind="need", user_id=user.id))
    db.session.commit()
    for n in range(comments):
        comment(c, user, f"Commentaire {n + 1}.")
    return user


def represent(organization, user) -> None:
    from consult.organizations.models import MemberRole

    db.session.add(OrganizationMember(organization=organization, user=user, role=MemberRole.representative))
    db.session.commit()
