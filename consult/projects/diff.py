"""What changed between two versions of a step: items added, removed and changed (with the fields that
changed, before and after), matched by their stable uid."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app
from sqlalchemy import select

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


def _items(version: StepVersion) -> dict[tuple[str, str], dict[str, Any]]:
    rows = db.session.execute(select(VersionItem.kind, VersionItem.uid, VersionItem.data)
                              .where(VersionItem.version_id == version.id).order_by(VersionItem.kind,
                                                                                   VersionItem.position))
    return {(kind, uid): data for kind, uid, data in rows}


def compare(old: StepVersion, new: StepVersion) -> list[Change]:
    before, after = _items(old), _items(new)
    changes: list[Change] = []
    for key, data in after.items():
        kind, uid = key
        spec = KINDS[kind]
        if key not in before:
            changes.append(Change("added", kind, uid, spec.label_of(data)))
            continue
        previous = before[key]
        fields = [FieldChange(name, str(label), previous.get(name), data.get(name))
                  for name, label in spec.fields.items() if previous.get(name) != data.get(name)]
        extra = sorted(set(data) - set(spec.fields))
        fields += [FieldChange(name, name, previous.get(name), data.get(name)) for name in extra
                   if previous.get(name) != data.get(name)]
        if fields:
            changes.append(Change("changed", kind, uid, spec.label_of(data), fields))
    for key, data in before.items():
        if key not in after:
            changes.append(Change("removed", key[0], key[1], KINDS[key[0]].label_of(data)))
    order = {"changed": 0, "added": 1, "removed": 2}
    changes.sort(key=lambda c: (order[c.status], c.kind, c.title.lower()))
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
