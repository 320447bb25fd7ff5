"""Signed, expiring links for e-mail verification, e-mail change and password reset.

Each link carries a fingerprint of the state it may change, so it stops working once used:
a reset link dies with the password it replaces, a verification link once the address is verified.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from consult.accounts.models import User
from consult.core.db import db


class LinkInvalid(Exception):
    """Tampered, for another purpose, or already used."""


class LinkExpired(Exception):
    pass


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"consult.{purpose}")


def _fingerprint(user: User, purpose: str) -> str:
    if purpose == "reset":
        state = f"{user.password_hash}|{user.auth_version}"
    elif purpose == "verify":
        state = f"{user.email}|{user.email_verified_at}"
    else:  # "change-email"
        state = f"{user.email}|{user.pending_email}"
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def make(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user, purpose)})


def read(token: str, purpose: str) -> User:
    max_age = current_app.config["CONSULT_TOKEN_HOURS"] * 3600
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired from None
    except BadSignature:
        raise LinkInvalid from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.is_deleted or data.get("f") != _fingerprint(user, purpose):
        raise LinkInvalid
    return user
