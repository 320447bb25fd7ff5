"""People who sign in, and the roles they hold per establishment."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import Timestamps, UTCDateTime, db

if TYPE_CHECKING:
    from consult.territories.models import Establishment


class User(UserMixin, Timestamps, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    is_admin: Mapped[bool] = mapped_column(default=False)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A new address waits here until its owner follows the link sent to it.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on password change or reset: every other session and remember-me cookie stops working.
    auth_version: Mapped[int] = mapped_column(default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    establishment_roles: Mapped[list[EstablishmentRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan")

    def get_id(self) -> str:
        return f"{self.id}:{self.auth_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.deleted_at is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def public_name(self) -> str:
        """What others see next to what this person published."""
        if self.is_deleted:
            return str(_l("Former participant"))
        return self.display_name or str(_l("Participant"))

    def establishment_ids(self, *roles: str) -> set[int]:
        return {r.establishment_id for r in self.establishment_roles if not roles or r.role.value in roles}

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class EstablishmentRoleKind(enum.Enum):
    planner = "planner"
    moderator = "moderator"


ESTABLISHMENT_ROLE_LABELS = {
    EstablishmentRoleKind.planner: _l("Planner"),
    EstablishmentRoleKind.moderator: _l("Moderator"),
}


class EstablishmentRole(Timestamps, db.Model):
    """A planner or moderator of one establishment; a person may hold several."""

    __tablename__ = "establishment_roles"
    __table_args__ = (UniqueConstraint("user_id", "establishment_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id", ondelete="CASCADE"),
                                                  index=True)
    role: Mapped[EstablishmentRoleKind] = mapped_column(Enum(EstablishmentRoleKind, native_enum=False,
                                                             length=20))

    user: Mapped[User] = relationship(back_populates="establishment_roles")
    establishment: Mapped[Establishment] = relationship()

    @property
    def label(self) -> str:
        return str(ESTABLISHMENT_ROLE_LABELS[self.role])
