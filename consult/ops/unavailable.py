"""When PostgreSQL, Redis or the file storage is down, a request answers 503 with a readable page, soon
(the connect timeouts in consult/config.py bound the wait), instead of hanging or showing a 500."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, request
from flask_babel import gettext as _

from consult.core.errors import render_error

log = logging.getLogger("consult.errors")
RETRY_AFTER = "30"


def _anonymous_page() -> None:
    # The signed-in user's row cannot be (re)loaded while the database is down, and every page header asks
    # who is signed in: render this page as for a visitor instead of failing again.
    g._login_user = current_app.login_manager.anonymous_user()


def _rollback() -> None:
    from consult.core.db import db

    try:
        db.session.rollback()
    except Exception:
        log.debug("rollback failed while the database is down", exc_info=True)


def _prepare(exc: Exception) -> None:
    """Before anything renders or translates (the language may come from the user's row): forget the
    failed transaction and the signed-in user."""
    log.warning("%s %s failed: %s: %s", request.method, request.path, type(exc).__name__, str(exc)[:300])
    _rollback()
    _anonymous_page()


def _unavailable(detail: str | None = None):
    response, code = render_error(503, detail)
    response = current_app.make_response((response, code))
    response.headers["Retry-After"] = RETRY_AFTER
    return response


def init_app(app: Flask) -> None:
    import redis
    from kombu.exceptions import OperationalError as BrokerError
    from sqlalchemy.exc import DisconnectionError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from consult.storage import FileTooLarge, NotFound, StorageError

    def database_down(exc: Exception):
        _prepare(exc)
        return _unavailable(_("The database is not answering. Nothing you had saved is lost; please try "
                              "again in a few minutes."))

    def broker_down(exc: Exception):
        _prepare(exc)
        return _unavailable()

    def storage_failed(exc: StorageError):
        _prepare(exc)
        if isinstance(exc, NotFound | FileTooLarge):
            return render_error(404 if isinstance(exc, NotFound) else 413, str(exc.message))
        return _unavailable(str(exc.message))

    for error in (OperationalError, DisconnectionError, PoolTimeout):
        app.register_error_handler(error, database_down)
    for error in (redis.ConnectionError, redis.TimeoutError, BrokerError):
        app.register_error_handler(error, broker_down)
    app.register_error_handler(StorageError, storage_failed)
