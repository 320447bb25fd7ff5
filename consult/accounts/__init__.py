"""Accounts: sign-up, sign-in, roles, privacy."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from consult.core.db import db


def init_app(app: Flask) -> None:
    from consult.accounts import policies  # noqa: F401  (registers permission rules)
    from consult.accounts.models import User
    from consult.accounts.views import bp
    from consult.extensions import login_manager

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(user_id: str) -> User | None:
        ident, _, version = user_id.partition(":")
        if not ident.isdigit():
            return None
        user = db.session.get(User, int(ident))
        if user is None or user.is_deleted or str(user.auth_version) != version:
            return None
        return user

    app.register_blueprint(bp)
