"""Québec's Law 25 for one person: download everything we hold about them, or erase it.

Modules add what they hold with @exporter / @eraser; the account module knows none of them.
What a person published stays, attributed to "former participant".
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete

from consult.accounts.models import User
from consult.core.db import db, now_utc

_exporters: dict[str, Callable[[User], Any]] = {}
_erasers: list[Callable[[User], None]] = []


def exporter(name: str):
    def register(func: Callable[[User], Any]):
        # Each module exports under its own name; a reused name would silently drop another module's data.
        if name in _exporters and _exporters[name] is not func:
            raise RuntimeError(f"data exporter {name!r} registered twice")
        _exporters[name] = func
        return func

    return register


def eraser(func: Callable[[User], None]):
    _erasers.append(func)
    return func


def export_zip(user: User) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, func in sorted(_exporters.items()):
            archive.writestr(f"{name}.json", json.dumps(func(user), ensure_ascii=False, indent=2, default=str))
        archive.writestr("LISEZMOI-README.txt", _README)
    return buffer.getvalue()


def delete_account(user: User) -> None:
    """Erase personal information. The row stays so that published content keeps an author, shown as
    "former participant"; the e-mail address is freed for a new account."""
    for func in _erasers:
        func(user)
    user.email = f"deleted-{user.id}@invalid.invalid"
    user.display_name = None
    user.pending_email = None
    user.password_hash = "!"  # matches no password
    user.is_admin = False
    user.privacy_accepted_at = None
    user.last_login_at = None
    user.email_verified_at = None
    user.deleted_at = now_utc()
    user.auth_version += 1
    user.establishment_roles.clear()


@exporter("account")
def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "language": user.locale,
        "email_verified_at": user.email_verified_at,
        "privacy_notice_accepted_at": user.privacy_accepted_at,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
        "platform_admin": user.is_admin,
        "establishment_roles": [
            {"establishment": r.establishment.name, "role": r.role.value} for r in user.establishment_roles
        ],
    }


@exporter("emails")
def _emails(user: User) -> list[dict[str, Any]]:
    from consult.mail.models import Email

    rows = db.session.scalars(db.select(Email).where(Email.user_id == user.id).order_by(Email.id))
    return [{"to": e.to_addr, "subject": e.subject, "body": e.body_text, "created_at": e.created_at,
             "status": e.status.value} for e in rows]


@eraser
def _erase_emails(user: User) -> None:
    from consult.mail.models import Email

    db.session.execute(delete(Email).where(Email.user_id == user.id))


_README = """Vos données / Your data — consult

Ce fichier ZIP contient, en JSON, tous les renseignements personnels que la plateforme conserve à votre
sujet : votre compte, vos rôles et les courriels qui vous ont été envoyés.

This ZIP file holds, as JSON, all the personal information the platform keeps about you: your account,
your roles and the e-mails sent to you.
"""
