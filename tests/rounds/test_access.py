"""Every route of the rounds module × every role, on a world where a scheduled round exists with an
invited organization and a guiding question: a page answers 200 only to the roles listed, a refused
action is refused (403/404, or sign-in for visitors) and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.core.db import db
from consult.rounds import services
from consult.rounds.models import ConsultationRound, GuidingQuestion, RoundEvent, RoundInvitation, RoundState

ROLES = ("anonymous", "citizen", "member", "representative", "moderator", "planner", "admin")
EVERYONE = set(ROLES)
NOBODY: set[str] = set()
OVERSEE = {"planner", "admin"}
PLANNER = {"planner"}

# endpoint → (roles that get 200 on GET, roles allowed to POST)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "rounds.index": (EVERYONE, NOBODY),
    "rounds.show": (EVERYONE, NOBODY),
    "rounds.items": (EVERYONE, NOBODY),
    "rounds.answer": (NOBODY, {"representative"}),
    "rounds.manage": (OVERSEE, NOBODY),
    "rounds.new": (PLANNER, PLANNER),
    "rounds.edit": (PLANNER, PLANNER),
    "rounds.transition": (NOBODY, PLANNER),
    "rounds.extend": (NOBODY, PLANNER),  # a scheduled round: the planner is sent back to the round page
    "rounds.history": (OVERSEE, NOBODY),
    "rounds.questions": (OVERSEE, PLANNER),
    "rounds.edit_question": (PLANNER, PLANNER),
    "rounds.move_question": (NOBODY, PLANNER),
    "rounds.delete_question": (NOBODY, PLANNER),
    "rounds.invitations": (OVERSEE, PLANNER),
    "rounds.uninvite": (NOBODY, PLANNER),
}


@pytest.fixture
def world(make_consultation, make_user):
    c = make_consultation(round_state=RoundState.scheduled)
    services.invite_organizations(c.round, c.planner, [c.organization])
    question = services.add_question(c.round, c.planner, 1, "Le portrait est-il juste?")
    db.session.commit()
    invitation = next(i for i in c.round.invitations if i.organization_id == c.organization.id)
    users = {"citizen": c.citizen, "member": c.member, "representative": c.representative,
             "moderator": c.moderator, "planner": c.planner, "admin": make_user(admin=True)}
    values = {"round_id": c.round.id, "project_id": c.project.id, "version_id": c.needs_version.id,
              "invitation_id": invitation.id, "question_id": question.id}
    return users, values


def state() -> tuple:
    db.session.expire_all()
    counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                   for model in (ConsultationRound, RoundEvent, RoundInvitation, GuidingQuestion))
    rounds = tuple(db.session.execute(select(ConsultationRound.state, ConsultationRound.title,
                                             ConsultationRound.closes_at, ConsultationRound.lock_version)).all())
    invitations = tuple(db.session.execute(select(RoundInvitation.state, RoundInvitation.reason)).all())
    questions = tuple(db.session.execute(select(GuidingQuestion.text, GuidingQuestion.position)).all())
    return counts, rounds, invitations, questions


def _routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("rounds.")]


def test_every_route_is_in_the_table(app):
    assert sorted({r.endpoint for r in _routes(app)} ^ set(EXPECTED)) == []


@pytest.mark.parametrize("role", ROLES)
def test_route_access_by_role(app, world, role):
    users, values = world
    before = state()
    unexpected = []
    for rule in _routes(app):
        allowed_get, allowed_post = EXPECTED[rule.endpoint]
        client = app.test_client()
        if role != "anonymous":
            client.login(users[role])
        url = rule.build({k: values[k] for k in rule.arguments})[1]
        if "GET" in rule.methods:
            status = client.get(url).status_code
            if (status == 200) != (role in allowed_get):
                unexpected.append(f"GET {url} → {status}")
        if "POST" in rule.methods and role not in allowed_post:
            response = client.post(url, data={"text": "Intrus?", "step_number": 1, "action": "open",
                                              "answer": "decline", "direction": "down",
                                              "include_establishment": "1"})
            refused = response.status_code in (403, 404, 405) or (
                role == "anonymous" and response.status_code in (302, 401)
                and "/login" in response.headers.get("Location", "/login"))
            if not refused:
                unexpected.append(f"POST {url} → {response.status_code} (should be refused)")
    assert not unexpected, f"{role}: " + "; ".join(unexpected)
    assert state() == before


def test_a_draft_hides_every_page_from_the_public(app, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    client = app.test_client()
    client.login(c.representative)
    for path in ("", "/history", "/questions", "/invitations", f"/versions/{c.needs_version.id}", "/extend",
                 "/edit"):
        assert client.get(f"/rounds/{c.round.id}{path}").status_code == 404, path
