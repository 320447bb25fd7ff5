"""Organizations and who speaks for them. The organizations module grows profiles, coalitions and the
partnership registry on top of this."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.core.db import Timestamps, db


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


class Organization(Timestamps, db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[OrganizationKind] = mapped_column(Enum(OrganizationKind, native_enum=False, length=40))

    members: Mapped[list[OrganizationMember]] = relationship(back_populates="organization",
                                                             cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


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

    organization: Mapped[Organization] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    @property
    def label(self) -> str:
        return str(MEMBER_ROLE_LABELS[self.role])
