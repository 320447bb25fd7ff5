"""The inputs of a round and their answers, read in a few SQL queries.

An input is a submitted brief (withdrawn and draft briefs are not), a comment thread (its first comment)
or a proposed need. One UNION of the three kinds, each outer-joined to its answer, gives the list (one
page of it) and the counts; the rows of one page are then loaded with one eager-loaded query per kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Integer, String, Subquery, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from consult.core.db import db
from consult.participation.models import (
    Brief,
    BriefCosigner,
    BriefState,
    BriefVisibility,
    Comment,
    CosignState,
    Disposition,
    InputKind,
    Outcome,
    ProposedNeed,
)
from consult.projects.kinds import KINDS
from consult.projects.models import VersionItem
from consult.rounds.models import ConsultationRound

KIND_ORDER = {InputKind.brief: 0, InputKind.comment: 1, InputKind.proposed_need: 2}

KIND_LABELS = {
    InputKind.brief: _l("Brief"),
    InputKind.comment: _l("Comment thread"),
    InputKind.proposed_need: _l("Proposed need"),
}

KIND_PLURALS = {
    InputKind.brief: _l("Briefs"),
    InputKind.comment: _l("Comment threads"),
    InputKind.proposed_need: _l("Proposed needs"),
}

EXCERPT_LENGTH = 300


def excerpt(text: str | None, length: int = EXCERPT_LENGTH) -> str:
    """The start of a text on one line, cut at a word boundary."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    if len(flat) <= length:
        return flat
    cut = flat[:length].rsplit(" ", 1)[0] if " " in flat[:length] else flat[:length]
    return cut.rstrip(" ,;:.") + "…"


# --------------------------------------------------------------------------------------------------
# The union


def _part(kind: InputKind, model: Any, at: Any, round_id: int, *where: Any):
    return (select(literal(kind.value, String(20)).label("kind"),
                   literal(KIND_ORDER[kind], Integer).label("kind_order"),
                   model.id.label("input_id"),
                   at.label("at"),
                   Disposition.id.label("disposition_id"),
                   Disposition.outcome.label("outcome"))
            .select_from(model)
            .outerjoin(Disposition, and_(Disposition.input_kind == kind, Disposition.input_id == model.id))
            .where(model.round_id == round_id, *where))


def inputs_subquery(round_id: int) -> Subquery:
    """(kind, kind_order, input_id, at, disposition_id, outcome) of every input of the round."""
    return union_all(
        _part(InputKind.brief, Brief, func.coalesce(Brief.submitted_at, Brief.created_at), round_id,
              Brief.state == BriefState.submitted),
        _part(InputKind.comment, Comment, Comment.created_at, round_id, Comment.parent_id.is_(None)),
        _part(InputKind.proposed_need, ProposedNeed, ProposedNeed.created_at, round_id),
    ).subquery("inputs")


@dataclass(frozen=True)
class Filters:
    kind: InputKind | None = None
    status: str | None = None  # "answered" or "unanswered"
    outcome: Outcome | None = None

    def args(self) -> dict[str, str]:
        """The filters as URL arguments, for the pager's links."""
        found = {"kind": self.kind.value if self.kind else None, "status": self.status,
                 "outcome": self.outcome.value if self.outcome else None}
        return {key: value for key, value in found.items() if value}


# --------------------------------------------------------------------------------------------------
# Counts


@dataclass
class Counts:
    """How many inputs of each kind got each outcome; None stands for "not answered yet"."""

    cells: dict[tuple[InputKind, Outcome | None], int] = field(default_factory=dict)

    def of(self, kind: InputKind | None = None, outcome: Outcome | str | None = "any") -> int:
        return sum(n for (k, o), n in self.cells.items()
                   if (kind is None or k is kind) and (outcome == "any" or o is outcome))

    @property
    def total(self) -> int:
        return self.of()

    @property
    def unanswered(self) -> int:
        return self.of(outcome=None)

    @property
    def answered(self) -> int:
        return self.total - self.unanswered

    @property
    def unanswered_share(self) -> float:
        """Between 0 and 1; 0 when there is no input at all."""
        return self.unanswered / self.total if self.total else 0.0


def counts(round_: ConsultationRound) -> Counts:
    inputs = inputs_subquery(round_.id)
    rows = db.session.execute(select(inputs.c.kind, inputs.c.outcome, func.count())
                              .group_by(inputs.c.kind, inputs.c.outcome))
    found = Counts()
    for kind, outcome, number in rows:
        key = (InputKind(kind), outcome)
        found.cells[key] = found.cells.get(key, 0) + number
    return found


# --------------------------------------------------------------------------------------------------
# One page of inputs


@dataclass
class Input:
    """One input with what is needed to show it: its row, its answer, and for a thread the item."""

    kind: InputKind
    obj: Any  # Brief | Comment | ProposedNeed
    disposition: Disposition | None
    item: VersionItem | None = None

    @property
    def id(self) -> int:
        return self.obj.id

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def is_hidden(self) -> bool:
        return self.obj.hidden_at is not None

    @property
    def hidden_reason(self) -> str:
        return self.obj.hidden_reason or ""

    @property
    def is_confidential(self) -> bool:
        return self.kind is InputKind.brief and self.obj.visibility is BriefVisibility.confidential

    @property
    def title(self) -> str:
        if self.kind is InputKind.brief:
            return self.obj.title
        if self.kind is InputKind.proposed_need:
            return self.obj.title
        return self.item_label

    @property
    def item_label(self) -> str:
        """The item a comment thread is about, from the frozen version it was written on."""
        if self.kind is not InputKind.comment:
            return ""
        if self.item is None or self.item.kind not in KINDS:
            return str(_l("An item that is no longer available"))
        return KINDS[self.item.kind].label_of(self.item.data) or str(KINDS[self.item.kind].label)

    @property
    def item_kind_label(self) -> str:
        if self.item is None or self.item.kind not in KINDS:
            return ""
        return str(KINDS[self.item.kind].label)

    @property
    def excerpt(self) -> str:
        if self.kind is InputKind.brief:
            return excerpt(self.obj.summary or self.obj.body)
        if self.kind is InputKind.comment:
            return excerpt(self.obj.body)
        return excerpt(self.obj.description)

    @property
    def author_name(self) -> str:
        """The organization for a brief; the public name of a person otherwise."""
        if self.kind is InputKind.brief:
            return self.obj.organization.name
        author = self.obj.author
        return author.public_name if author is not None else str(_l("Former participant"))

    @property
    def cosigners(self) -> list[str]:
        if self.kind is not InputKind.brief:
            return []
        return [c.organization.name for c in self.obj.cosigners if c.state is CosignState.confirmed]

    @property
    def anchor(self) -> str:
        return f"{self.kind.value}-{self.id}"


class _RowPagination(SelectPagination):
    """SelectPagination hands back only the first column of each row; the union needs whole rows."""

    def _query_items(self) -> list[Any]:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())


def page_of_inputs(round_: ConsultationRound, filters: Filters, per_page: int | None = None) -> Pagination:
    """A page (?page=N) of the round's inputs, briefs first, then threads, then proposed needs, each kind
    oldest first. `page.items` are Input objects."""
    inputs = inputs_subquery(round_.id)
    stmt = select(inputs.c.kind, inputs.c.input_id, inputs.c.disposition_id)
    if filters.kind is not None:
        stmt = stmt.where(inputs.c.kind == filters.kind.value)
    if filters.status == "answered":
        stmt = stmt.where(inputs.c.disposition_id.is_not(None))
    elif filters.status == "unanswered":
        stmt = stmt.where(inputs.c.disposition_id.is_(None))
    if filters.outcome is not None:
        stmt = stmt.where(inputs.c.outcome == filters.outcome)
    stmt = stmt.order_by(inputs.c.kind_order, inputs.c.at, inputs.c.input_id)
    number = request.args.get("page", 1, type=int) or 1
    page = _RowPagination(select=stmt, session=db.session(), page=max(number, 1),
                          per_page=per_page or current_app.config["CONSULT_PAGE_SIZE"], error_out=True)
    page.items = load_inputs([(InputKind(kind), input_id, disposition_id)
                              for kind, input_id, disposition_id in page.items])
    return page


def load_inputs(rows: list[tuple[InputKind, int, int | None]]) -> list[Input]:
    """Input objects for (kind, id, disposition id) rows, in the same order: one query per kind."""
    ids: dict[InputKind, list[int]] = {kind: [] for kind in InputKind}
    for kind, input_id, _disposition in rows:
        ids[kind].append(input_id)
    objects: dict[tuple[InputKind, int], Any] = {}
    if ids[InputKind.brief]:
        for brief in db.session.scalars(select(Brief).where(Brief.id.in_(ids[InputKind.brief])).options(
                joinedload(Brief.organization), joinedload(Brief.author),
                selectinload(Brief.cosigners).joinedload(BriefCosigner.organization))):
            objects[(InputKind.brief, brief.id)] = brief
    if ids[InputKind.comment]:
        for comment in db.session.scalars(select(Comment).where(Comment.id.in_(ids[InputKind.comment]))
                                          .options(joinedload(Comment.author))):
            objects[(InputKind.comment, comment.id)] = comment
    if ids[InputKind.proposed_need]:
        for need in db.session.scalars(select(ProposedNeed).where(ProposedNeed.id.in_(ids[InputKind.proposed_need]))
                                       .options(joinedload(ProposedNeed.author), joinedload(ProposedNeed.area))):
            objects[(InputKind.proposed_need, need.id)] = need
    disposition_ids = [d for _k, _i, d in rows if d is not None]
    dispositions = {d.id: d for d in db.session.scalars(
        select(Disposition).where(Disposition.id.in_(disposition_ids)).options(joinedload(Disposition.answered_by)))
    } if disposition_ids else {}
    items = _items_of([objects[(InputKind.comment, i)] for i in ids[InputKind.comment]
                       if (InputKind.comment, i) in objects])
    found = []
    for kind, input_id, disposition_id in rows:
        obj = objects.get((kind, input_id))
        if obj is None:  # gone between the two queries
            continue
        item = items.get((obj.version_id, obj.item_uid)) if kind is InputKind.comment else None
        found.append(Input(kind, obj, dispositions.get(disposition_id) if disposition_id else None, item))
    return found


def _items_of(comments: list[Comment]) -> dict[tuple[int, str], VersionItem]:
    pairs = {(c.version_id, c.item_uid) for c in comments}
    if not pairs:
        return {}
    stmt = select(VersionItem).where(or_(*(and_(VersionItem.version_id == version_id, VersionItem.uid == uid)
                                           for version_id, uid in pairs)))
    return {(item.version_id, item.uid): item for item in db.session.scalars(stmt)}


def load_input(kind: InputKind, target: Any) -> Input:
    """The Input of one row already loaded (the answer page)."""
    disposition = disposition_of(kind, target.id)
    item = _items_of([target]).get((target.version_id, target.item_uid)) if kind is InputKind.comment else None
    return Input(kind, target, disposition, item)


def disposition_of(kind: InputKind, input_id: int) -> Disposition | None:
    return db.session.scalar(select(Disposition).where(Disposition.input_kind == kind,
                                                       Disposition.input_id == input_id))


def find_input(round_: ConsultationRound, kind: InputKind, input_id: int) -> Any | None:
    """The brief, thread or proposed need `input_id` of this round, or None when it is not an input."""
    if kind is InputKind.brief:
        brief = db.session.get(Brief, input_id)
        ok = brief is not None and brief.round_id == round_.id and brief.state is BriefState.submitted
        return brief if ok else None
    if kind is InputKind.comment:
        comment = db.session.get(Comment, input_id)
        ok = comment is not None and comment.round_id == round_.id and comment.parent_id is None
        return comment if ok else None
    need = db.session.get(ProposedNeed, input_id)
    return need if need is not None and need.round_id == round_.id else None
