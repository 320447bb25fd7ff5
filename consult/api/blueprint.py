"""The /api/v1 blueprint and what every API request goes through.

- Who is asking: only `Authorization: Bearer <token>`. The session cookie is never read, so a page of another
  site cannot make a signed-in browser write through the API, and the blueprint can be exempt from CSRF.
  While an API request runs, the token's owner is `current_user`, so the pages' policies see the same person.
- Language: the Accept-Language header (French by default), never the owner's account setting: a script
  chooses the language of the messages it reads.
- Reads: an ETag on every successful GET (If-None-Match answers 304), read-only CORS (`*` on GET and HEAD,
  and on preflights for them only), a rate limit per token (or per address without one).
- Writes: a token of scope "participate", the same rate limit as the pages' posts, no CORS.
- Errors: problem+json (problems.py), including routing errors under /api/v1 (404, 405).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from babel import Locale
from flask import Blueprint, Flask, Response, current_app, g, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from consult.api import problems, tokens
from consult.api.models import ApiToken, Scope
from consult.api.problems import Problem
from consult.core.db import db
from consult.extensions import csrf, limiter
from consult.i18n.locale import LANGS

log = logging.getLogger("consult.api")

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)  # authenticated by the Authorization header only: no ambient credential to forge

READ_METHODS = ("GET", "HEAD")
EXPOSED = "ETag, Content-Language, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, " \
          "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"


# Language ---------------------------------------------------------------------------------------------


def use_request_language() -> str:
    """Fix the request's locale from Accept-Language (French by default), once, before any text is made."""
    if "api_lang" not in g:
        lang = request.accept_languages.best_match(list(LANGS), default="fr")
        g.api_lang = lang
        context = g.get("_flask_babel")
        if context is None:
            from types import SimpleNamespace

            context = g._flask_babel = SimpleNamespace()
        context.babel_locale = Locale.parse(LANGS[lang])
        context.babel_translations = None
    return g.api_lang


# Who is asking -----------------------------------------------------------------------------------------


def _resolve_token() -> ApiToken | None:
    """The request's token, once per request; a rejected one is remembered to answer 401."""
    if "api_token" in g:
        return g.api_token
    g.api_token, g.api_token_problem = None, None
    try:
        secret = tokens.secret_from_header(request.headers.get("Authorization"))
        if secret is not None:
            g.api_token = tokens.authenticate(secret)
    except tokens.TokenRejected as rejected:
        g.api_token_problem = rejected.message
    return g.api_token


def current_token() -> ApiToken | None:
    return _resolve_token()


def caller_key() -> str:
    """Rate-limit key: the token's owner (a script has its own budget), else the address."""
    token = _resolve_token()
    return f"user:{token.user_id}" if token is not None else f"ip:{request.remote_addr}"


def _read_limit() -> str:
    return current_app.config["CONSULT_API_READ_LIMIT"]


def _write_limit() -> str:
    return current_app.config["CONSULT_POST_LIMIT"]


limiter.limit(_read_limit, key_func=caller_key, methods=list(READ_METHODS))(bp)
writes_limited = limiter.limit(_write_limit, key_func=caller_key, methods=["POST", "DELETE"])


def _unauthorized(detail: str, error: str = "invalid_token") -> Problem:
    return Problem("unauthorized", detail, headers={
        "WWW-Authenticate": f'Bearer realm="consult", error="{error}", error_description="token"'})


def requires(scope: Scope) -> Callable:
    """The view needs a usable token allowing `scope`; its owner becomes the acting user."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any):
            token = current_token()
            if token is None:
                raise _unauthorized(_("This operation needs a token: send “Authorization: Bearer <token>”. "
                                      "Create one on your account page."))
            if not token.allows(scope):
                raise Problem("insufficient-scope", _("This token has the “%(has)s” scope; this operation needs "
                                                      "“%(needs)s”.", has=token.scope.value, needs=scope.value),
                              headers={"WWW-Authenticate": f'Bearer realm="consult", error="insufficient_scope", '
                                                           f'scope="{scope.value}"'})
            return view(*args, **kwargs)

        return guarded

    return decorate


def acting_user() -> Any:
    token = current_token()
    return token.user if token is not None else None


@bp.before_request
def _before() -> None:
    use_request_language()
    token = _resolve_token()
    if g.api_token_problem:
        raise _unauthorized(g.api_token_problem)
    # Policies and services read `current_user`: make it the token's owner, or nobody. The session is not read.
    g._login_user = token.user if token is not None else current_app.login_manager.anonymous_user()
    if token is not None and tokens.touch(token):
        db.session.commit()


# Responses ---------------------------------------------------------------------------------------------


@bp.after_request
def _after(response: Response) -> Response:
    response.headers["Content-Language"] = "fr-CA" if g.get("api_lang", "fr") == "fr" else "en-CA"
    response.vary.add("Accept-Language")
    if request.method in READ_METHODS or (request.method == "OPTIONS" and request.headers.get(
            "Access-Control-Request-Method", "").upper() in READ_METHODS):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = ", ".join(READ_METHODS)
            response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match"
            response.headers["Access-Control-Max-Age"] = "86400"
    if request.method in READ_METHODS and response.status_code == 200 and not response.direct_passthrough:
        response.headers.setdefault("Cache-Control", "no-cache")
        response.add_etag()
        response.make_conditional(request)
    return response


def _problem_response(exc: Exception) -> Response:
    use_request_language()
    if isinstance(exc, Problem):
        return problems.of(exc)
    if isinstance(exc, HTTPException):
        code = exc.code or 500
        headers = {}
        if code == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        made = problems.for_status(code if code in problems.BY_STATUS else (400 if code < 500 else 500))
        made.headers.update(headers)
        return made
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return problems.for_status(500)


@bp.errorhandler(Problem)
def _problem(exc: Problem) -> Response:
    db.session.rollback()  # a refused request writes nothing, whatever a service had flushed
    return _problem_response(exc)


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException) -> Response:
    db.session.rollback()
    return _problem_response(exc)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    return _problem_response(exc)


def install_routing_errors(app: Flask) -> None:
    """Unknown addresses and methods under /api/v1 are routing errors, which Flask hands to the app's
    handlers, not the blueprint's: answer them as problems too, and leave every other path to core."""
    spec = app.error_handler_spec.setdefault(None, {}).setdefault(None, {})
    core = spec.get(HTTPException)

    def handler(exc: HTTPException):
        if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
            response = _problem_response(exc)
            if request.method in READ_METHODS:
                response.headers["Access-Control-Allow-Origin"] = "*"
            return response
        if core is not None:
            return core(exc)
        return exc

    app.register_error_handler(HTTPException, handler)
