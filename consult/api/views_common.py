"""Helpers every API view uses: loading a row or answering 404, reading query parameters safely."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.api.pagination import MAX_LIMIT
from consult.api.problems import Problem
from consult.api.schemas import ID_MAX
from consult.api.spec import Param
from consult.core.db import db
from consult.territories.forms import one_line

T = TypeVar("T")
UID_SHAPE = re.compile(r"[0-9a-f-]{1,36}")
DIGITS = re.compile(r"[0-9]{1,12}")  # str.isdigit() also accepts "³", which int() refuses

LIST_PARAMS = (
    Param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
          _l("Items per page (25 unless given, at most 100).")),
    Param("cursor", {"type": "string", "maxLength": 500},
          _l("The “next” value of the previous page, as it is.")),
)


def not_found() -> Problem:
    return Problem("not-found")


def get_or_404(model: type[T], ident: int) -> T:
    """The row, or a 404 problem; an identifier no database column could hold is simply not found."""
    if not 1 <= ident <= ID_MAX:
        raise not_found()
    found = db.session.get(model, ident)
    if found is None:
        raise not_found()
    return found


def check_uid(uid: str) -> str:
    if not UID_SHAPE.fullmatch(uid):
        raise not_found()
    return uid


def int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if not DIGITS.fullmatch(raw) or not 1 <= int(raw) <= ID_MAX:
        message = _("Give an identifier: a whole number from 1 to %(max)d.", max=ID_MAX)
        raise Problem("malformed-request", message, errors={name: [message]})
    return int(raw)


def one_line_arg(name: str, max_length: int) -> str | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if len(raw) > max_length:
        message = _("At most %(max)d characters.", max=max_length)
        raise Problem("malformed-request", message, errors={name: [message]})
    return one_line(raw) or None


def choice_arg(name: str, choices: list[str]) -> str | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw not in choices:
        message = _("Choose one of: %(choices)s.", choices=", ".join(choices))
        raise Problem("malformed-request", message, errors={name: [message]})
    return raw


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None):
    from flask import jsonify

    made = jsonify(data)
    made.status_code = status
    for key, value in (headers or {}).items():
        made.headers[key] = value
    return made
