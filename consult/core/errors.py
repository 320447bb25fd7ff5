"""Error pages in the reader's language; JSON for JSON clients. A visitor hitting a members' page is sent
to sign in rather than shown a bare 401."""

from __future__ import annotations

import logging
from typing import NoReturn

from flask import Flask, abort, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("consult.errors")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" or (
        request.accept_mimetypes.best == "application/json")


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please check what you sent.")),
        403: (_("Access denied"), _("You do not have permission to see this page or do this action.")),
        404: (_("Page not found"), _("This page does not exist, or it was moved or removed.")),
        405: (_("Action not allowed"), _("This action is not possible on this page.")),
        413: (_("File too large"), _("What you sent is larger than the allowed limit.")),
        429: (_("Too many attempts"), _("Please wait a moment before trying again.")),
        500: (_("Something went wrong"),
              _("An unexpected error occurred. Nothing you had saved is lost; please try again.")),
        503: (_("Service unavailable"), _("The service is temporarily unavailable. Please try again soon.")),
    }


def render_error(code: int, detail: str | None = None):
    title, text = _messages().get(code, (str(code), ""))
    if _wants_json():
        return jsonify({"status": code, "title": title, "detail": detail or text}), code
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def deny(message: str) -> NoReturn:
    """403 with the reason in words; a visitor is sent to sign in first."""
    from flask_login import current_user

    if not current_user.is_authenticated:
        abort(401)
    abort(make_response(render_error(403, message)))


def acting_user():
    """The signed-in user as a plain object (not the request-bound proxy), to hand to services."""
    from flask_login import current_user

    return current_user._get_current_object()


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code == 401 and not _wants_json():
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        code = exc.code or 500
        return render_error(code if code in _messages() else 400 if code < 500 else 500)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return render_error(400, _("The form expired or was sent from elsewhere. Please reload the page "
                                   "and try again; what you typed is shown again if the page kept it."))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        from consult.core.db import db

        db.session.rollback()
        return render_error(500)
