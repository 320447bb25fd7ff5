"""Cursor pagination for every API list: `{"items": [...], "next": <cursor or null>}`.

Lists are walked by keyset (the sort columns of the last item sent), never by offset: a page stays right
while new comments arrive, and page 400 of a need's comments costs what page 1 costs. The cursor is signed
and names its list, so it is opaque: a script passes it back as `?cursor=` and never builds one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select, and_, or_

from consult.api.problems import Problem
from consult.core.db import db

MAX_LIMIT = 100
CURSOR_MAX = 500  # characters; a real cursor is far shorter


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="consult.api.cursor")


def encode(scope: str, values: Sequence[Any]) -> str:
    return _serializer().dumps({"s": scope, "k": list(values)})


def decode(cursor: str, scope: str, width: int) -> list[Any]:
    refused = Problem("malformed-request", _("This cursor is not valid for this list. Use the “next” value of "
                                             "the previous page as it is."), errors={"cursor": [
                                                 _("Use the “next” value of the previous page as it is.")]})
    if len(cursor) > CURSOR_MAX:
        raise refused
    try:
        data = _serializer().loads(cursor)
    except BadSignature:
        raise refused from None
    values = data.get("k") if isinstance(data, dict) and data.get("s") == scope else None
    if not isinstance(values, list) or len(values) != width or not all(
            isinstance(v, int | str) and not isinstance(v, bool) for v in values):
        raise refused
    return values


def default_limit() -> int:
    return min(current_app.config["CONSULT_PAGE_SIZE"], MAX_LIMIT)


def read_limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default_limit()
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
        message = _("Give a whole number from 1 to %(max)d.", max=MAX_LIMIT)
        raise Problem("malformed-request", message, errors={"limit": [message]})
    return int(raw)


def _after(columns: Sequence[Any], values: Sequence[Any]):
    """(c1, c2, …) > (v1, v2, …), spelled out so every database reads it the same way."""
    clauses = []
    for i, column in enumerate(columns):
        equal = [columns[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal, column > values[i]))
    return or_(*clauses)


def page(stmt: Select, columns: Sequence[Any], key: Callable[[Any], Sequence[Any]],
         render: Callable[[Any], dict[str, Any]], scope: str) -> dict[str, Any]:
    """One page of `stmt` (a select of entities) sorted by `columns`; `key(row)` gives the values of those
    columns for a row, `render(row)` its JSON. `scope` names the list (endpoint and filters) in the cursor."""
    limit = read_limit()
    cursor = request.args.get("cursor")
    if cursor:
        stmt = stmt.where(_after(columns, decode(cursor, scope, len(columns))))
    rows = list(db.session.scalars(stmt.order_by(*columns).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [render(row) for row in rows],
            "next": encode(scope, list(key(rows[-1]))) if more and rows else None}


def scope_of(*parts: Any) -> str:
    """A list's identity for its cursors: the endpoint and the filters that shape it."""
    return "|".join("" if p is None else str(p) for p in (request.endpoint, *parts))
