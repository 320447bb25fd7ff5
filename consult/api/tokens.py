"""Creating, checking and revoking personal API tokens. Services flush, never commit; the caller commits.

A token reads `cst_` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is kept, so a
copy of the database gives no usable token; the first characters are kept to recognise it in lists.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from consult.accounts.models import User
from consult.api.models import ApiToken, Scope
from consult.core.db import db, now_utc

PREFIX = "cst_"
SHOWN = 12  # characters of the secret kept for display: "cst_" and 8 random ones
SHAPE = re.compile(r"cst_[A-Za-z0-9_-]{43}")
# A token's last use is written at most this often, so a busy script does not write on every request.
TOUCH_EVERY = timedelta(minutes=1)
NAME_MAX = 100


class TokenRejected(Exception):
    """The Authorization header names no usable token; `message` says why, for the script's author."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Created:
    token: ApiToken
    secret: str  # shown once, never stored


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(user: User, *, name: str, scope: Scope, expires_at: datetime | None = None) -> Created:
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name.strip()[:NAME_MAX], scope=scope, secret_hash=digest(secret),
                     prefix=secret[:SHOWN], created_at=now_utc(), expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    return Created(token, secret)


def revoke(token: ApiToken) -> bool:
    """False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now_utc()
    db.session.flush()
    return True


def of_user(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                                             ApiToken.id.desc())))


def secret_from_header(header: str | None) -> str | None:
    """The secret of `Authorization: Bearer <secret>`; None when there is no such header."""
    if header is None:
        return None
    scheme, _sep, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise TokenRejected(_("Send the token as “Authorization: Bearer <token>”."))
    return value.strip()


def authenticate(secret: str, at: datetime | None = None) -> ApiToken:
    """The usable token with this secret, or TokenRejected saying why."""
    at = at or now_utc()
    if not SHAPE.fullmatch(secret):
        raise TokenRejected(_("This is not a token of this platform. Create one on your account page."))
    token = db.session.scalar(select(ApiToken).where(ApiToken.secret_hash == digest(secret)))
    if token is None:
        raise TokenRejected(_("This token does not exist. Create one on your account page."))
    if token.is_revoked:
        raise TokenRejected(_("This token was revoked. Create a new one on your account page."))
    if token.is_expired(at):
        raise TokenRejected(_("This token expired. Create a new one on your account page."))
    if token.user.is_deleted:
        raise TokenRejected(_("The account of this token was deleted."))
    return token


def touch(token: ApiToken, at: datetime | None = None) -> bool:
    """Record the use, at most once per TOUCH_EVERY; one conditional UPDATE, so parallel requests write once."""
    at = at or now_utc()
    result = db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id, or_(ApiToken.last_used_at.is_(None),
                                                            ApiToken.last_used_at <= at - TOUCH_EVERY))
        .values(last_used_at=at).execution_options(synchronize_session=False))
    if result.rowcount:
        db.session.expire(token, ["last_used_at"])
    return bool(result.rowcount)
