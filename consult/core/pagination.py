"""Pagination of any select() so that no list grows without bound."""

from __future__ import annotations

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from consult.core.db import db


def paginate(stmt: Select, per_page: int | None = None) -> Pagination:
    """Page `stmt` using ?page=N; a page past the end is a 404, a malformed number is page 1."""
    per_page = per_page or current_app.config["CONSULT_PAGE_SIZE"]
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=True)
