"""What changed between two versions of a step: items added, removed and changed (with the fields that
changed, before and after), matched by their stable uid. The database finds the differences; the fields
are read for the page of them shown."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app
from sqlalchemy import Text, and_, case, cast, exists, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased

from consult.core.db import db
from consult.projects.kinds import KINDS
from consult.projects.models import StepVersion, VersionItem


@dataclass
class FieldChange:
    name: str
    label: str
    before: Any
    after: Any


@dataclass
class Change:
    status: str  # "added", "removed" or "changed"
    kind: str
    uid: str
    title: str
    fields: list[FieldChange] = field(default_factory=list)


def _title(item: Any) -> Any:
    """The title of a frozen item in SQL: the field naming it, which depends on its kind."""
    return case({kind: item.data[spec.title_field].as_string() for kind, spec in KINDS.items()},
                value=item.kind, else_="")


def _comparable(item: Any) -> Any:
    if db.engine.dialect.name == "postgresql":
        return cast(item.data, JSONB)  # json has no equality; jsonb compares the values
    return cast(item.data, Text)  # SQLite keeps the JSON as written, always by the same serializer


def compare(old: StepVersion, new: StepVersion) -> list[Change]:
    """Every difference between two versions, without its fields: the database compares the items and
    returns only the kind, uid and title of those added, removed or changed, so a version of 2,000
    indicators is never read into Python. `with_fields` fills in the fields of the page shown."""
    before, after = aliased(VersionItem), aliased(VersionItem)
    same = and_(before.kind == after.kind, before.uid == after.uid)
    queries = {
        "added": select(after.kind, after.uid, _title(after)).where(
            after.version_id == new.id, ~exists().where(before.version_id == old.id, same)),
        "removed": select(before.kind, before.uid, _title(before)).where(
            before.version_id == old.id, ~exists().where(after.version_id == new.id, same)),
        "changed": select(after.kind, after.uid, _title(after))
        .join(before, and_(before.version_id == old.id, same))
        .where(after.version_id == new.id, _comparable(before) != _comparable(after)),
    }
    changes = [Change(status, kind, uid, title or "") for status, stmt in queries.items()
               for kind, uid, title in db.session.execute(stmt)]
    order = {"changed": 0, "added": 1, "removed": 2}
    changes.sort(key=lambda c: (order[c.status], c.kind, c.title.lower()))
    return changes


def _fields(kind: str, previous: dict[str, Any], data: dict[str, Any]) -> list[FieldChange]:
    spec = KINDS[kind]
    fields = [FieldChange(name, str(label), previous.get(name), data.get(name))
              for name, label in spec.fields.items() if previous.get(name) != data.get(name)]
    extra = sorted(set(data) - set(spec.fields))
    return fields + [FieldChange(name, name, previous.get(name), data.get(name)) for name in extra
                     if previous.get(name) != data.get(name)]


def with_fields(changes: list[Change], old: StepVersion, new: StepVersion) -> list[Change]:
    """Read the two versions of the changed items among `changes` (one page) and list their fields."""
    uids = [c.uid for c in changes if c.status == "changed"]
    if not uids:
        return changes
    found: dict[tuple[int, str, str], dict[str, Any]] = {
        (version_id, kind, uid): data for version_id, kind, uid, data in db.session.execute(
            select(VersionItem.version_id, VersionItem.kind, VersionItem.uid, VersionItem.data)
            .where(VersionItem.version_id.in_([old.id, new.id]), VersionItem.uid.in_(uids)))}
    for change in changes:
        if change.status == "changed":
            change.fields = _fields(change.kind, found[(old.id, change.kind, change.uid)],
                                    found[(new.id, change.kind, change.uid)])
    return changes


class ListPage:
    """A page of a list computed in Python, with the interface of Flask-SQLAlchemy's Pagination that
    the pager macro reads. Past the last page is a 404, as with paginate()."""

    def __init__(self, items: list, page: int | None, per_page: int | None = None) -> None:
        self.per_page = per_page or current_app.config["CONSULT_PAGE_SIZE"]
        self.total = len(items)
        self.pages = max(1, math.ceil(self.total / self.per_page))
        self.page = max(page or 1, 1)
        if self.page > self.pages:
            abort(404)
        start = (self.page - 1) * self.per_page
        self.items = items[start:start + self.per_page]

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
