"""The signed token of a one-click unsubscribe link: a user id, signed with the secret key.

It never expires (a notice may be read months later) and it can do only one harmless thing: stop
notices, which the person can turn back on from their settings.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from consult.accounts.models import User
from consult.core.db import db

SALT = "consult.unsubscribe"


class LinkInvalid(Exception):
    """Tampered with, made for another purpose, or for an account that no longer exists."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make(user: User) -> str:
    return _serializer().dumps({"u": user.id})


def read(token: str) -> User:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise LinkInvalid from None
    user_id = data.get("u") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.is_deleted:
        raise LinkInvalid
    return user
