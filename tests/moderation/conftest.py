"""Content to moderate in the shared consultation: a citizen's comment, a proposed need, a brief; and the
people reading pages in English, the language msgids are written in."""

from __future__ import annotations

import pytest

from consult.core.db import db, now_utc
from consult.participation.models import Brief, BriefState, BriefVisibility, Comment, ProposedNeed


@pytest.fixture
def world(consultation):
    for person in (consultation.planner, consultation.moderator, consultation.citizen, consultation.member,
                   consultation.representative, consultation.other_representative):
        person.locale = "en"
    consultation.citizen.display_name = "Lucie"
    db.session.commit()
    return consultation


def add_comment(world, author, body: str = "Les aînés du Centre-Sud sont seuls le soir.") -> Comment:
    comment = Comment(round=world.round, version_id=world.needs_version.id, item_uid=world.need_uid,
                      item_kind="need", author=author, body=body)
    db.session.add(comment)
    db.session.flush()
    comment.root_id = comment.id
    db.session.commit()
    return comment


def add_proposed_need(world, author) -> ProposedNeed:
    need = ProposedNeed(round=world.round, version_id=world.needs_version.id, author=author,
                        title="Proches aidants épuisés", description="Personne ne les relaie.")
    db.session.add(need)
    db.session.commit()
    return need


def add_brief(world, author, organization) -> Brief:
    brief = Brief(round=world.round, organization=organization, author=author, title="Mémoire du Carrefour",
                  summary="Nos constats.", body="Le portrait oublie les proches aidants.",
                  state=BriefState.submitted, visibility=BriefVisibility.public, submitted_at=now_utc())
    db.session.add(brief)
    db.session.commit()
    return brief


@pytest.fixture
def comment(world):
    return add_comment(world, world.citizen)
