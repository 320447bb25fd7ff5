"""Argon2 hashing and the password policy (length, not common, not the e-mail itself)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

_hasher = PasswordHasher()
# Verified against when an e-mail is unknown, so a login takes as long either way (no enumeration).
_DUMMY = _hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@cache
def _common() -> frozenset[str]:
    text = resources.files("consult.accounts").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problem(password: str, email: str | None = None) -> str | None:
    """A message saying what is wrong with `password`, or None when it is acceptable."""
    minimum = current_app.config["CONSULT_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Use at least %(n)d characters.", n=minimum)
    if len(password) > 256:
        return _("Use at most 256 characters.")
    lowered = password.lower()
    if lowered in _common() or len(set(lowered)) < 4:
        return _("This password is too common or too easy to guess. Choose another one.")
    if email and lowered == email.lower():
        return _("Your password must not be your e-mail address.")
    return None
