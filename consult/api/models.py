"""Personal API tokens: a person's key for scripts, with a scope, shown once and stored only as a digest."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.core.db import UTCDateTime, db, now_utc


class Scope(enum.Enum):
    read = "read"                # identifies the script; reads are public anyway
    participate = "participate"  # also comment, reply, support, propose a need, submit a brief


SCOPE_LABELS = {
    Scope.read: _l("Read"),
    Scope.participate: _l("Read and take part"),
}

SCOPE_MEANINGS = {
    Scope.read: _l("Reads public content. It cannot write anything."),
    Scope.participate: _l("Also comments, replies, supports, proposes needs and submits briefs in your name, "
                          "with exactly the rights you have on the pages."),
}


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[Scope] = mapped_column(Enum(Scope, native_enum=False, length=20))
    # SHA-256 of the whole secret: the secret itself is shown once and never stored. A token has 256 random
    # bits, so a plain digest suffices (no slow hash needed, unlike a password someone chose).
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, to recognise a token in the list and in logs.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def scope_label(self) -> str:
        return str(SCOPE_LABELS[self.scope])

    def is_expired(self, at: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (at or now_utc())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_usable(self, at: datetime | None = None) -> bool:
        return not self.is_revoked and not self.is_expired(at)

    @property
    def state_label(self) -> str:
        if self.is_revoked:
            return str(_l("Revoked"))
        if self.is_expired():
            return str(_l("Expired"))
        return str(_l("Active"))

    def allows(self, scope: Scope) -> bool:
        return scope is Scope.read or self.scope is Scope.participate

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}…>"
