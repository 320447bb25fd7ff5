"""Errors of the API as RFC 9457 problem details (application/problem+json), in the reader's language.

Every problem has a `type` (a link to its explanation on the API page), a `title` that depends only on the
type, the HTTP `status`, a `detail` about this occurrence and the `instance` (the path asked). Validation
problems add `errors`: field name → messages, so a script can show each message beside its field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Response, request, url_for
from flask_babel import lazy_gettext as _l

MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: Any
    meaning: Any  # shown on the API page


TYPES: dict[str, ProblemType] = {t.slug: t for t in (
    ProblemType("malformed-request", 400, _l("Malformed request"),
                _l("The body is not valid JSON, or a query parameter or cursor cannot be read.")),
    ProblemType("unauthorized", 401, _l("Token missing or not valid"),
                _l("This operation needs a token, or the token sent is unknown, revoked or expired.")),
    ProblemType("insufficient-scope", 403, _l("Token scope too narrow"),
                _l("The token's scope does not allow this operation: writing needs the “participate” scope.")),
    ProblemType("forbidden", 403, _l("Not allowed"),
                _l("The token's owner may not do this, exactly as on the pages of the site.")),
    ProblemType("not-found", 404, _l("Not found"),
                _l("Nothing public exists at this address.")),
    ProblemType("method-not-allowed", 405, _l("Method not allowed"),
                _l("This address does not accept this HTTP method.")),
    ProblemType("conflict", 409, _l("Not possible now"),
                _l("The request is valid but the state of the content refuses it, for example a consultation "
                   "that is closed. Nothing was recorded.")),
    ProblemType("too-large", 413, _l("Request too large"),
                _l("The body is larger than the limit.")),
    ProblemType("unsupported-media-type", 415, _l("Unsupported media type"),
                _l("Send JSON (application/json), or multipart/form-data where the operation says so.")),
    ProblemType("validation", 422, _l("Invalid data"),
                _l("Some fields are missing, unknown or not valid; `errors` gives the message of each field. "
                   "Nothing was recorded.")),
    ProblemType("too-many-requests", 429, _l("Too many requests"),
                _l("The rate limit was reached. Wait before trying again (see the Retry-After header).")),
    ProblemType("server-error", 500, _l("Server error"),
                _l("An unexpected error occurred. Nothing was recorded; try again later.")),
    ProblemType("unavailable", 503, _l("Service unavailable"),
                _l("The service is temporarily unavailable. Try again soon.")),
)}

BY_STATUS = {400: "malformed-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
             405: "method-not-allowed", 409: "conflict", 413: "too-large", 415: "unsupported-media-type",
             422: "validation", 429: "too-many-requests", 500: "server-error", 503: "unavailable"}


class Problem(Exception):
    """Raised anywhere in an API view; the blueprint turns it into a problem+json response."""

    def __init__(self, slug: str, detail: str | None = None, *, errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or slug)
        self.slug = slug
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    @property
    def status(self) -> int:
        return TYPES[self.slug].status


def type_uri(slug: str) -> str:
    try:
        return url_for("api_pages.docs", _external=True, _anchor=f"problem-{slug}")
    except Exception:  # the API page is not registered (a partial app in a test): RFC 9457's default
        return "about:blank"


def body(slug: str, detail: str | None = None, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    kind = TYPES[slug]
    found: dict[str, Any] = {"type": type_uri(slug), "title": str(kind.title), "status": kind.status,
                             "detail": detail or str(kind.meaning), "instance": request.path}
    if errors:
        found["errors"] = {name: [str(m) for m in messages] for name, messages in errors.items()}
    return found


def response(slug: str, detail: str | None = None, errors: dict[str, list[str]] | None = None,
             headers: dict[str, str] | None = None) -> Response:
    payload = body(slug, detail, errors)
    text = json.dumps(payload, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # something echoed from the request is not valid Unicode: escape everything
        text = json.dumps(payload)
    made = Response(text, status=payload["status"], mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        made.headers[name] = value
    made.headers["Cache-Control"] = "no-store"
    return made


def of(problem: Problem) -> Response:
    return response(problem.slug, problem.detail, problem.errors, problem.headers)


def for_status(status: int, detail: str | None = None) -> Response:
    slug = BY_STATUS.get(status) or ("server-error" if status >= 500 else "malformed-request")
    return response(slug, detail)
