"""The registry's demo data (consult/organizations/demo.py), loaded over the seed: created once however
many times it runs, and showing what the issue asks for."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.core.db import db
from consult.organizations import demo
from consult.organizations.models import (
    AccountabilityItem,
    CoalitionMembership,
    CoalitionStatus,
    Handover,
    MissionFunding,
    Organization,
    OrganizationKind,
    Relationship,
    RelationshipChange,
    RelationshipJudgement,
    ServiceAgreement,
    Side,
    Stance,
)
from consult.seed import Seeder

TABLES = (Relationship, RelationshipChange, RelationshipJudgement, MissionFunding, ServiceAgreement,
          AccountabilityItem, CoalitionMembership, Handover)


def load():
    seeder = Seeder()
    report = seeder.run()
    demo.load(report)
    db.session.commit()
    return report


def counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def test_loading_twice_creates_everything_once(app):
    first = load()
    after_first = counts()
    assert all(after_first.values()), after_first
    assert first.created["relationships"] == 5 and first.created["handovers"] == 1
    second = load()
    assert counts() == after_first
    assert not second.created
    assert second.existing["relationships"] == 5


def test_the_demo_shows_both_registers_a_refusal_a_coalition_and_a_handover(app, client):
    load()
    relationships = list(db.session.scalars(select(Relationship)))
    establishments = {r.establishment_id for r in relationships}
    assert len(establishments) == 1  # all with the first Montréal establishment
    both = [r for r in relationships if r.mission_funding and r.service_agreements]
    assert [r.organization.name for r in both] == [demo.CARREFOUR]
    assert both[0].mission_funding[0].programme == "PSOC"
    assert both[0].judgement(Side.establishment) and both[0].judgement(Side.organization)
    declined = [r for r in relationships if r.stance is Stance.neither]
    assert [r.organization.name for r in declined] == [demo.POPOTE]
    kinds = {r.organization.kind for r in relationships}
    assert {OrganizationKind.users_committee, OrganizationKind.coalition, OrganizationKind.social_economy} <= kinds
    cdc = db.session.scalar(select(Organization).filter_by(name=demo.CDC))
    confirmed = db.session.scalars(select(CoalitionMembership).filter_by(coalition_id=cdc.id,
                                                                         status=CoalitionStatus.confirmed))
    assert len(list(confirmed)) >= 2
    handover = db.session.scalar(select(Handover))
    assert (handover.from_user.email, handover.to_user.email) == (demo.PLANNER, demo.NEXT_PLANNER)
    organizations = list(db.session.scalars(select(Organization)))
    assert all(o.mission and o.territories and o.programme_codes for o in organizations)
    assert {o.kind for o in organizations} == set(OrganizationKind)
    page = client.get(f"/organizations/{cdc.id}", headers={"Accept-Language": "en"})
    assert "Partnership" in page.text and demo.CARREFOUR in page.text  # public by the coalition's choice
    found = client.get("/organizations?q=aines&programme=palv")
    assert demo.CARREFOUR in found.text
