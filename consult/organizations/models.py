"""Organizations and who speaks for them; coalitions; the partnership registry between an establishment
and an organization, with its two funding registers (mission funding and service agreements) kept in
separate tables that nothing adds together.

Autonomy is built into the shape: an organization registers itself, its stance toward an establishment
is a column only its representatives write, and each side's judgement of the relationship is its own row.
"""

from __future__ import annotations

import enum
import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Enum,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import relationship as orm_relationship  # models below have a `relationship` attribute

from consult.accounts.models import User
from consult.core.db import Timestamps, UTCDateTime, db, now_utc

if TYPE_CHECKING:
    from consult.territories.models import Establishment, TerritoryNode


def _enum(kind: type[enum.Enum], length: int = 40) -> Enum:
    return Enum(kind, native_enum=False, length=length)


# --------------------------------------------------------------------------------------------------
# Organizations


class OrganizationKind(enum.Enum):
    autonomous_community = "autonomous_community"
    community = "community"
    social_economy = "social_economy"
    private_resource = "private_resource"
    public_establishment = "public_establishment"
    municipality = "municipality"
    school_board = "school_board"
    coalition = "coalition"
    round_table = "round_table"
    users_committee = "users_committee"


KIND_LABELS = {
    OrganizationKind.autonomous_community: _l("Autonomous community organization (ACA)"),
    OrganizationKind.community: _l("Other community organization"),
    OrganizationKind.social_economy: _l("Social-economy enterprise"),
    OrganizationKind.private_resource: _l("Private resource"),
    OrganizationKind.public_establishment: _l("Public establishment"),
    OrganizationKind.municipality: _l("Municipality"),
    OrganizationKind.school_board: _l("School board"),
    OrganizationKind.coalition: _l("Coalition of organizations"),
    OrganizationKind.round_table: _l("Round table"),
    OrganizationKind.users_committee: _l("Users' committee"),
}

# Kinds that group other organizations and may list them as members.
GROUPING_KINDS = frozenset({OrganizationKind.coalition, OrganizationKind.round_table})
# Kinds that count as "community" for the partnership conditions (at least one community organization
# or coalition on one side).
COMMUNITY_KINDS = frozenset({OrganizationKind.autonomous_community, OrganizationKind.community,
                             OrganizationKind.coalition, OrganizationKind.round_table,
                             OrganizationKind.users_committee, OrganizationKind.social_economy})


organization_territories = Table(
    "organization_territories",
    db.metadata,
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territory_nodes.id", ondelete="CASCADE"), primary_key=True),
)


class Organization(Timestamps, db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # The name folded (no case, no accents, punctuation as spaces): duplicate warnings and search.
    name_key: Mapped[str] = mapped_column(String(200), index=True, default="")
    kind: Mapped[OrganizationKind] = mapped_column(_enum(OrganizationKind))
    legal_name: Mapped[str | None] = mapped_column(String(200))
    # Québec enterprise number: exactly 10 digits, stored without spaces.
    neq: Mapped[str | None] = mapped_column(String(10), index=True)
    # In the organization's own words (Markdown, cleaned when shown).
    mission: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(500))
    # The organization decides whether its relationships with establishments are shown to the public.
    relationships_public: Mapped[bool] = mapped_column(default=False)
    # A mark given by a platform administrator; it grants nothing, it only tells readers.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    members: Mapped[list[OrganizationMember]] = orm_relationship(back_populates="organization",
                                                             cascade="all, delete-orphan")
    territories: Mapped[list[TerritoryNode]] = orm_relationship(secondary=organization_territories,
                                                            order_by="TerritoryNode.code")
    programmes: Mapped[list[OrganizationProgramme]] = orm_relationship(
        back_populates="organization", cascade="all, delete-orphan",
        order_by="OrganizationProgramme.programme_code")
    verified_by: Mapped[User | None] = orm_relationship(foreign_keys=[verified_by_id])

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def is_grouping(self) -> bool:
        return self.kind in GROUPING_KINDS

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def programme_codes(self) -> list[str]:
        """In the order of the programme list, codes no longer offered last."""
        from consult.organizations.programmes import programme_order

        return sorted((p.programme_code for p in self.programmes), key=lambda c: (programme_order(c), c))

    @property
    def neq_display(self) -> str:
        """1145678901 → 1145 678 901, as the enterprise register prints it."""
        if not self.neq:
            return ""
        return f"{self.neq[:4]} {self.neq[4:7]} {self.neq[7:]}"

    def representatives(self) -> list[OrganizationMember]:
        return [m for m in self.members if m.role is MemberRole.representative]

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


def fold(text: str | None) -> str:
    """Lower case, no accents, punctuation as spaces: "Carrefour des Aînés!" → "carrefour des aines".
    Done in Python because SQLite folds only ASCII."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    spaced = "".join(ch if ch.isalnum() else " " for ch in kept.casefold())
    return " ".join(spaced.split())[:200]


@event.listens_for(Organization, "before_insert")
@event.listens_for(Organization, "before_update")
def _keep_name_key(_mapper, _connection, organization: Organization) -> None:
    # Whoever creates or renames an organization (a form, the seed, a test), the folded name follows.
    organization.name_key = fold(organization.name)


class OrganizationProgramme(db.Model):
    """A programme-services the organization says it is concerned with, by code (see programmes.py).
    Codes rather than a foreign key: the clinical project's configurable programmes may come later."""

    __tablename__ = "organization_programmes"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    programme_code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    organization: Mapped[Organization] = orm_relationship(back_populates="programmes")


class MemberRole(enum.Enum):
    representative = "representative"  # mandated by the board to speak for the organization
    member = "member"


MEMBER_ROLE_LABELS = {MemberRole.representative: _l("Representative"), MemberRole.member: _l("Member")}


class OrganizationMember(Timestamps, db.Model):
    __tablename__ = "organization_members"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(Enum(MemberRole, native_enum=False, length=20))

    organization: Mapped[Organization] = orm_relationship(back_populates="members")
    user: Mapped[User] = orm_relationship()

    @property
    def label(self) -> str:
        return str(MEMBER_ROLE_LABELS[self.role])


class InvitationStatus(enum.Enum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    revoked = "revoked"


class OrganizationInvitation(Timestamps, db.Model):
    """An e-mail invitation to join. The link carries the id and a nonce; sending it again changes the
    nonce, so only the latest link works, and once answered no link works."""

    __tablename__ = "organization_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[MemberRole] = mapped_column(Enum(MemberRole, native_enum=False, length=20))
    nonce: Mapped[str] = mapped_column(String(32))
    status: Mapped[InvitationStatus] = mapped_column(_enum(InvitationStatus, 20),
                                                     default=InvitationStatus.pending)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organization: Mapped[Organization] = orm_relationship()
    invited_by: Mapped[User | None] = orm_relationship(foreign_keys=[invited_by_id])

    @property
    def role_label(self) -> str:
        return str(MEMBER_ROLE_LABELS[self.role])


class RequestStatus(enum.Enum):
    pending = "pending"
    approved = "approved"
    refused = "refused"


class JoinRequest(Timestamps, db.Model):
    """Someone asks to join; a representative approves or refuses."""

    __tablename__ = "organization_join_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, 20), default=RequestStatus.pending)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = orm_relationship()
    user: Mapped[User] = orm_relationship(foreign_keys=[user_id])


# --------------------------------------------------------------------------------------------------
# Coalitions


class CoalitionStatus(enum.Enum):
    pending = "pending"      # listed by the coalition, waiting for the member organization
    confirmed = "confirmed"  # the member organization's representative confirmed
    declined = "declined"    # the member organization said no
    withdrawn = "withdrawn"  # either side ended it


COALITION_STATUS_LABELS = {
    CoalitionStatus.pending: _l("Waiting for the organization's confirmation"),
    CoalitionStatus.confirmed: _l("Confirmed"),
    CoalitionStatus.declined: _l("Declined by the organization"),
    CoalitionStatus.withdrawn: _l("Ended"),
}


class CoalitionMembership(Timestamps, db.Model):
    """A coalition (or round table) lists a member organization; it counts once that organization's
    representative confirms. Only confirmed links may co-sign briefs (participation module)."""

    __tablename__ = "coalition_members"
    __table_args__ = (UniqueConstraint("coalition_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    status: Mapped[CoalitionStatus] = mapped_column(_enum(CoalitionStatus, 20),
                                                    default=CoalitionStatus.pending)
    listed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    coalition: Mapped[Organization] = orm_relationship(foreign_keys=[coalition_id])
    member: Mapped[Organization] = orm_relationship(foreign_keys=[member_id])

    @property
    def status_label(self) -> str:
        return str(COALITION_STATUS_LABELS[self.status])


# --------------------------------------------------------------------------------------------------
# The partnership registry


class Side(enum.Enum):
    establishment = "establishment"
    organization = "organization"


SIDE_LABELS = {Side.establishment: _l("Establishment"), Side.organization: _l("Organization")}


class RelationshipCategory(enum.Enum):
    collaboration = "collaboration"  # occasional, informal
    concertation = "concertation"    # regular exchange among actors concerned by a problem
    partnership = "partnership"      # only when the five conditions hold


CATEGORY_LABELS = {
    RelationshipCategory.collaboration: _l("Collaboration"),
    RelationshipCategory.concertation: _l("Concertation"),
    RelationshipCategory.partnership: _l("Partnership"),
}
CATEGORY_HINTS = {
    RelationshipCategory.collaboration: _l("Occasional, informal exchanges."),
    RelationshipCategory.concertation: _l("Regular exchanges among actors concerned by a problem or a "
                                          "territory."),
    RelationshipCategory.partnership: _l("A structured exchange both parties agreed to, for planning, "
                                         "delivering or evaluating services. All five conditions must hold."),
}

# The five conditions of a partnership (DOMAIN.md, "Kinds of partnership"), as columns of Relationship.
CONDITIONS = {
    "cond_structured": _l("It is a structured exchange."),
    "cond_community_party": _l("At least one community organization (or coalition) takes part."),
    "cond_public_party": _l("At least one component of the public network takes part."),
    "cond_agreed_process": _l("Both parties agreed to the process."),
    "cond_services_purpose": _l("Its purpose is to plan, deliver or evaluate activities or services."),
}


class PartnershipType(enum.Enum):
    political = "political"
    planning_orientation = "planning_orientation"
    operational_programme = "operational_programme"
    operational_territory = "operational_territory"


PARTNERSHIP_TYPE_LABELS = {
    PartnershipType.political: _l("Political (national: recognition, funding, evaluation)"),
    PartnershipType.planning_orientation: _l("Planning and orientation (regional plans and priorities)"),
    PartnershipType.operational_programme: _l("Operational, by programme (one programme, problem or "
                                              "client group)"),
    PartnershipType.operational_territory: _l("Operational, by territory (all programmes for the "
                                              "population of one territory)"),
}


class Parties(enum.Enum):
    bilateral = "bilateral"
    multilateral = "multilateral"


PARTIES_LABELS = {Parties.bilateral: _l("Bilateral (two parties)"),
                  Parties.multilateral: _l("Multilateral (more than two parties)")}


class Sector(enum.Enum):
    intrasectoral = "intrasectoral"
    intersectoral = "intersectoral"


SECTOR_LABELS = {Sector.intrasectoral: _l("Within the health and social services sector"),
                 Sector.intersectoral: _l("Intersectoral (municipalities, school boards, other sectors)")}


class Instrument(enum.Enum):
    signed_protocol = "signed_protocol"
    service_agreement = "service_agreement"
    joint_referral_form = "joint_referral_form"
    other = "other"


INSTRUMENT_LABELS = {
    Instrument.signed_protocol: _l("Signed protocol"),
    Instrument.service_agreement: _l("Service agreement"),
    Instrument.joint_referral_form: _l("Joint referral form"),
    Instrument.other: _l("Other instrument"),
}


class RulesOrigin(enum.Enum):
    built_by_parties = "built_by_parties"
    imposed = "imposed"


RULES_LABELS = {RulesOrigin.built_by_parties: _l("Built together by the parties"),
                RulesOrigin.imposed: _l("Imposed")}


class Lead(enum.Enum):
    establishment = "establishment"
    organization = "organization"
    shared = "shared"
    other = "other"


LEAD_LABELS = {
    Lead.establishment: _l("The establishment"),
    Lead.organization: _l("The organization"),
    Lead.shared: _l("Shared between the parties"),
    Lead.other: _l("Another party"),
}


class Stance(enum.Enum):
    partner = "partner"
    service_provider = "service_provider"
    both = "both"
    neither = "neither"  # declined partnership: a right, without consequence


STANCE_LABELS = {
    Stance.partner: _l("Partner"),
    Stance.service_provider: _l("Service provider"),
    Stance.both: _l("Both partner and service provider"),
    Stance.neither: _l("Neither: the organization declines partnership"),
}
# Stances compatible with recording the relationship as a partnership ("a process both agreed to").
PARTNER_STANCES = frozenset({Stance.partner, Stance.both})


class Quality(enum.Enum):
    paternalistic = "paternalistic"
    unequal = "unequal"
    cooperative = "cooperative"
    balanced = "balanced"
    real_partnership = "real_partnership"


# From one end of the scale to the other.
QUALITY_LABELS = {
    Quality.paternalistic: _l("Paternalistic: one side manages the other from a distance"),
    Quality.unequal: _l("Unequal: the other side is heard but weighs little"),
    Quality.cooperative: _l("Cooperative: contributions are recognized, decisions stay with one side"),
    Quality.balanced: _l("Balanced: mostly equitable, with reservations"),
    Quality.real_partnership: _l("Real partnership: equitable, with mutual recognition"),
}


class Relationship(Timestamps, db.Model):
    """What ties one establishment and one organization. It belongs to the establishment and the
    organization, never to a person: planners come and go (see Handover)."""

    __tablename__ = "organization_relationships"
    __table_args__ = (UniqueConstraint("establishment_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id", ondelete="CASCADE"),
                                                  index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    # None until either side describes it.
    category: Mapped[RelationshipCategory | None] = mapped_column(_enum(RelationshipCategory, 20))
    cond_structured: Mapped[bool] = mapped_column(default=False)
    cond_community_party: Mapped[bool] = mapped_column(default=False)
    cond_public_party: Mapped[bool] = mapped_column(default=False)
    cond_agreed_process: Mapped[bool] = mapped_column(default=False)
    cond_services_purpose: Mapped[bool] = mapped_column(default=False)
    # Partnership attributes: set only while the category is partnership.
    partnership_type: Mapped[PartnershipType | None] = mapped_column(_enum(PartnershipType))
    parties: Mapped[Parties | None] = mapped_column(_enum(Parties, 20))
    sector: Mapped[Sector | None] = mapped_column(_enum(Sector, 20))
    instrument_other: Mapped[str | None] = mapped_column(String(200))
    rules_origin: Mapped[RulesOrigin | None] = mapped_column(_enum(RulesOrigin, 20))
    lead: Mapped[Lead | None] = mapped_column(_enum(Lead, 20))
    # Written only by the organization's representatives.
    stance: Mapped[Stance | None] = mapped_column(_enum(Stance, 20))
    stance_note: Mapped[str | None] = mapped_column(Text)
    stance_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stance_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    establishment: Mapped[Establishment] = orm_relationship()
    organization: Mapped[Organization] = orm_relationship()
    instruments: Mapped[list[RelationshipInstrument]] = orm_relationship(
        back_populates="relationship", cascade="all, delete-orphan",
        order_by="RelationshipInstrument.instrument")
    judgements: Mapped[list[RelationshipJudgement]] = orm_relationship(
        back_populates="relationship", cascade="all, delete-orphan")
    mission_funding: Mapped[list[MissionFunding]] = orm_relationship(
        back_populates="relationship", cascade="all, delete-orphan",
        order_by=lambda: [MissionFunding.starts_on.desc(), MissionFunding.id.desc()])
    service_agreements: Mapped[list[ServiceAgreement]] = orm_relationship(
        back_populates="relationship", cascade="all, delete-orphan",
        order_by=lambda: [ServiceAgreement.starts_on.desc(), ServiceAgreement.id.desc()])

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS[self.category]) if self.category else ""

    @property
    def stance_label(self) -> str:
        return str(STANCE_LABELS[self.stance]) if self.stance else ""

    @property
    def instrument_codes(self) -> list[str]:
        return [i.instrument.value for i in self.instruments]

    def conditions(self) -> dict[str, bool]:
        return {name: bool(getattr(self, name)) for name in CONDITIONS}

    def judgement(self, side: Side) -> RelationshipJudgement | None:
        return next((j for j in self.judgements if j.side is side), None)

    @property
    def stance_conflicts_with_partnership(self) -> bool:
        """Recorded as a partnership while the organization says it is not a partner."""
        return (self.category is RelationshipCategory.partnership and self.stance is not None
                and self.stance not in PARTNER_STANCES)


class RelationshipInstrument(db.Model):
    __tablename__ = "relationship_instruments"

    relationship_id: Mapped[int] = mapped_column(
        ForeignKey("organization_relationships.id", ondelete="CASCADE"), primary_key=True)
    instrument: Mapped[Instrument] = mapped_column(_enum(Instrument, 30), primary_key=True)

    relationship: Mapped[Relationship] = orm_relationship(back_populates="instruments")

    @property
    def label(self) -> str:
        return str(INSTRUMENT_LABELS[self.instrument])


class RelationshipJudgement(Timestamps, db.Model):
    """One side's own judgement of the relationship's quality. One row per side: the establishment's
    planners write the establishment's, the organization's representatives write the organization's."""

    __tablename__ = "relationship_judgements"
    __table_args__ = (UniqueConstraint("relationship_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[int] = mapped_column(
        ForeignKey("organization_relationships.id", ondelete="CASCADE"), index=True)
    side: Mapped[Side] = mapped_column(_enum(Side, 20))
    quality: Mapped[Quality] = mapped_column(_enum(Quality, 20))
    note: Mapped[str | None] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    relationship: Mapped[Relationship] = orm_relationship(back_populates="judgements")
    set_by: Mapped[User | None] = orm_relationship()

    @property
    def quality_label(self) -> str:
        return str(QUALITY_LABELS[self.quality])

    @property
    def rank(self) -> int:
        """1 (paternalistic) to 5 (real partnership)."""
        return list(Quality).index(self.quality) + 1


class RelationshipChange(db.Model):
    """Append-only history of a relationship: what changed, from what to what, who and on which side.
    Rows are never updated nor deleted by the application (see the listeners below)."""

    __tablename__ = "relationship_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[int] = mapped_column(
        ForeignKey("organization_relationships.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    side: Mapped[Side] = mapped_column(_enum(Side, 20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)

    user: Mapped[User | None] = orm_relationship()

    @property
    def side_label(self) -> str:
        return str(SIDE_LABELS[self.side])


class AppendOnly(Exception):
    """Someone tried to rewrite the history of a relationship."""


@event.listens_for(RelationshipChange, "before_update")
def _no_update(_mapper, _connection, _target) -> None:
    raise AppendOnly("relationship history is append-only")


@event.listens_for(RelationshipChange, "before_delete")
def _no_delete(_mapper, _connection, _target) -> None:
    raise AppendOnly("relationship history is append-only")


# --------------------------------------------------------------------------------------------------
# The two funding registers: separate tables, separate pages sections, never summed together.


class MissionFunding(Timestamps, db.Model):
    """Support for the organization's own mission (e.g. PSOC), with minimal reporting. Not a purchase:
    it has no accountability items."""

    __tablename__ = "mission_funding"

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[int] = mapped_column(
        ForeignKey("organization_relationships.id", ondelete="CASCADE"), index=True)
    programme: Mapped[str] = mapped_column(String(60), default="PSOC")
    # In cents: exact on every database.
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    relationship: Mapped[Relationship] = orm_relationship(back_populates="mission_funding")


class ServiceAgreement(Timestamps, db.Model):
    """A contract: the establishment buys defined services and controls their quality, with
    accountability reporting (AccountabilityItem)."""

    __tablename__ = "service_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[int] = mapped_column(
        ForeignKey("organization_relationships.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    services: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    relationship: Mapped[Relationship] = orm_relationship(back_populates="service_agreements")
    items: Mapped[list[AccountabilityItem]] = orm_relationship(
        back_populates="agreement", cascade="all, delete-orphan",
        order_by=lambda: [AccountabilityItem.due_on, AccountabilityItem.id])


class AccountabilityItem(Timestamps, db.Model):
    """What the organization reports on under a service agreement (reddition de comptes)."""

    __tablename__ = "accountability_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("service_agreements.id", ondelete="CASCADE"),
                                              index=True)
    description: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date | None] = mapped_column(Date)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    agreement: Mapped[ServiceAgreement] = orm_relationship(back_populates="items")


# --------------------------------------------------------------------------------------------------
# Handover: relationships belong to the establishment; when a planner leaves, another takes over.


class Handover(db.Model):
    __tablename__ = "establishment_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id", ondelete="CASCADE"),
                                                  index=True)
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handed_over_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    establishment: Mapped[Establishment] = orm_relationship()
    from_user: Mapped[User | None] = orm_relationship(foreign_keys=[from_user_id])
    to_user: Mapped[User | None] = orm_relationship(foreign_keys=[to_user_id])
    recorded_by: Mapped[User | None] = orm_relationship(foreign_keys=[recorded_by_id])
