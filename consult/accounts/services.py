"""Account rules: registration, verification, sign-in, password and e-mail changes, deletion.
Services flush and queue e-mail; the view commits."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from consult.accounts import passwords, tokens
from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.mail import services as mail


class EmailTaken(Exception):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def register(email: str, password: str, display_name: str | None, lang: str) -> User | None:
    """Create the account and send the verification link. When the address already has an account,
    nothing is created and its owner is told by e-mail instead: the page says the same either way."""
    email = normalize_email(email)
    existing = find_by_email(email)
    if existing is not None:
        if not existing.is_deleted:
            mail.send(existing.email, "accounts/already_registered", lang=existing.locale,
                      user_id=existing.id, login_url=url_for("accounts.login", _external=True),
                      reset_url=url_for("accounts.forgot_password", _external=True))
        return None
    user = User(email=email, password_hash=passwords.hash_password(password),
                display_name=(display_name or "").strip() or None, locale=lang,
                privacy_accepted_at=now_utc())
    db.session.add(user)
    db.session.flush()
    send_verification(user)
    return user


def send_verification(user: User) -> None:
    mail.send(user.email, "accounts/verify", lang=user.locale, user_id=user.id,
              url=url_for("accounts.verify", token=tokens.make(user, "verify"), _external=True))


def verify(user: User) -> None:
    user.email_verified_at = now_utc()


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.is_deleted:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = now_utc()
    return user


def request_reset(email: str) -> None:
    user = find_by_email(email)
    if user is None or user.is_deleted:
        return  # same answer on the page; nothing tells whether the address has an account
    mail.send(user.email, "accounts/reset", lang=user.locale, user_id=user.id,
              url=url_for("accounts.reset_password", token=tokens.make(user, "reset"), _external=True))


def set_password(user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(password)
    user.auth_version += 1  # signs out every other session and remember-me cookie
    user.pending_email = None  # a change of address asked before this must be asked again


def request_email_change(user: User, new_email: str) -> None:
    new_email = normalize_email(new_email)
    user.pending_email = new_email
    db.session.flush()
    if find_by_email(new_email) is not None:
        # Say nothing on the page; tell the owner of that address instead.
        mail.send(new_email, "accounts/email_in_use", lang=user.locale)
        return
    mail.send(new_email, "accounts/confirm_email", lang=user.locale, user_id=user.id,
              url=url_for("accounts.confirm_email", token=tokens.make(user, "change-email"), _external=True))
    mail.send(user.email, "accounts/email_change_notice", lang=user.locale, user_id=user.id,
              new_email=new_email)


def confirm_email_change(user: User) -> None:
    if not user.pending_email or find_by_email(user.pending_email) is not None:
        raise EmailTaken
    user.email = user.pending_email
    user.pending_email = None
    user.email_verified_at = now_utc()
