"""`consult seed-demo`: the demo territory, establishments, organizations and one sign-in per role,
created once however many times the command runs."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import EstablishmentRole, EstablishmentRoleKind, User
from consult.core.db import db
from consult.organizations.models import MemberRole, Organization, OrganizationKind, OrganizationMember
from consult.seed import DEMO_PASSWORD, USERS
from consult.territories.models import Establishment, Level, TerritoryNode, establishment_territories

LOGINS = ["admin@demo.consult.ca", "planif@demo.consult.ca", "planif2@demo.consult.ca",
          "moderation@demo.consult.ca", "representant@demo.consult.ca", "membre@demo.consult.ca",
          "coalition@demo.consult.ca", "citoyen@demo.consult.ca", "citizen@demo.consult.ca"]


def counts() -> dict[str, int]:
    tables = {"territories": TerritoryNode.id, "establishments": Establishment.id, "users": User.id,
              "organizations": Organization.id, "members": OrganizationMember.id,
              "roles": EstablishmentRole.id}
    found = {name: db.session.scalar(select(func.count(column))) for name, column in tables.items()}
    found["links"] = db.session.scalar(select(func.count()).select_from(establishment_territories))
    return found


def seed(app):
    """`consult seed-demo` as `make run` runs it: tasks go to the broker (the filesystem transport, which no worker
    reads here) instead of running eagerly, which would also render the demo summary's drafts at every seed."""
    conf = app.extensions["celery"].conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        conf.task_always_eager = eager
    assert result.exit_code == 0, result.output
    return result.output


def test_running_twice_creates_everything_once(app):
    first = seed(app)
    after_first = counts()
    assert all(after_first.values()), after_first
    hashes = dict(db.session.execute(select(User.email, User.password_hash)).all())
    second = seed(app)
    assert counts() == after_first
    assert dict(db.session.execute(select(User.email, User.password_hash)).all()) == hashes
    assert "nothing changed" in second
    for output in (first, second):
        assert DEMO_PASSWORD in output
        for email in LOGINS:
            assert email in output


def test_every_demo_login_signs_in_with_the_demo_password(app, client):
    seed(app)
    assert sorted(u.email for u in USERS) == sorted(LOGINS)
    for email in LOGINS:
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert "/login" not in response.headers["Location"]
        client.post("/logout")
    wrong = client.post("/login", data={"email": LOGINS[0], "password": "not-the-demo-password"})
    assert wrong.status_code == 422


def test_demo_people_hold_their_roles(app):
    seed(app)
    people = {u.email: u for u in db.session.scalars(select(User))}
    assert all(p.is_verified and p.privacy_accepted_at for p in people.values())
    assert [e for e, p in people.items() if p.is_admin] == ["admin@demo.consult.ca"]
    # Of the people who sign in (the demo's residents have no password), one reads in English.
    assert {e for e, p in people.items() if p.locale == "en" and e in LOGINS} == {"citizen@demo.consult.ca"}
    montreal = db.session.scalars(select(Establishment).join(Establishment.region)
                                  .where(TerritoryNode.code == "06").order_by(Establishment.id)).first()
    roles = {(r.user.email, r.role) for r in db.session.scalars(select(EstablishmentRole))}
    assert roles == {("planif@demo.consult.ca", EstablishmentRoleKind.planner),
                     ("planif2@demo.consult.ca", EstablishmentRoleKind.planner),
                     ("moderation@demo.consult.ca", EstablishmentRoleKind.moderator)}
    assert {r.establishment_id for r in db.session.scalars(select(EstablishmentRole))} == {montreal.id}
    members = {m.user.email: m for m in db.session.scalars(select(OrganizationMember))}
    assert members["representant@demo.consult.ca"].role is MemberRole.representative
    representative = members["representant@demo.consult.ca"]
    assert members["membre@demo.consult.ca"].organization_id == representative.organization_id
    assert members["representant@demo.consult.ca"].organization.kind is OrganizationKind.autonomous_community
    assert members["coalition@demo.consult.ca"].organization.kind is OrganizationKind.coalition
    assert not people["citoyen@demo.consult.ca"].establishment_roles
    assert "citoyen@demo.consult.ca" not in members


def test_demo_territory_has_the_shape_of_the_research_setting(app):
    seed(app)
    regions = {n.code: n for n in db.session.scalars(select(TerritoryNode).filter_by(level=Level.region))}
    assert set(regions) == {"06", "02"}
    establishments = list(db.session.scalars(select(Establishment)))
    assert len(establishments) == 4
    assert all(e.kind == "CSSS" for e in establishments)
    by_region = {code: [e for e in establishments if e.region_id == region.id]
                 for code, region in regions.items()}
    assert len(by_region["06"]) == 2 and len(by_region["02"]) == 2
    for establishment in by_region["06"]:
        assert sum(t.level is Level.clsc for t in establishment.territories) >= 2
    assert [e.formed_voluntarily for e in by_region["02"]].count(True) == 1
    assert not any(e.formed_voluntarily for e in by_region["06"])
    for establishment in establishments:  # every territory served lies in the establishment's region
        assert all(t.ancestors()[0].id == establishment.region_id for t in establishment.territories)
    levels = set(db.session.scalars(select(TerritoryNode.level)))
    assert levels == set(Level)
    kinds = set(db.session.scalars(select(Organization.kind)))
    assert kinds == set(OrganizationKind)


def test_the_demo_shows_on_the_public_page(app, client):
    seed(app)
    page = client.get("/establishments")
    assert page.status_code == 200
    for establishment in db.session.scalars(select(Establishment)):
        assert establishment.name in page.text
