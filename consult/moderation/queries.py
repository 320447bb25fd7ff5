"""Read helpers for moderation pages: the queue (most-flagged first, then oldest), the log, the history
of one target, and the public count of hidden content per round."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from consult.core.db import db
from consult.core.pagination import paginate
from consult.moderation.models import Decision, Flag, ModerationAction, TargetKind
from consult.moderation.services import MODELS, Target


class RowPagination(SelectPagination):
    """Pages of a select() of several columns (SelectPagination keeps only the first one)."""

    def _query_items(self) -> list[Any]:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())


def paginate_rows(stmt: Select) -> Pagination:
    page = request.args.get("page", 1, type=int) or 1
    return RowPagination(select=stmt, session=db.session(), page=max(page, 1),
                         per_page=current_app.config["CONSULT_PAGE_SIZE"], error_out=True)


def load_targets(keys: Iterable[tuple[TargetKind, int]]) -> dict[tuple[TargetKind, int], Target]:
    """Targets by (kind, id), one query per kind, with their author and round loaded."""
    wanted: dict[TargetKind, set[int]] = defaultdict(set)
    for kind, target_id in keys:
        wanted[kind].add(target_id)
    found: dict[tuple[TargetKind, int], Target] = {}
    for kind, ids in wanted.items():
        model = MODELS[kind]
        for row in db.session.scalars(select(model).where(model.id.in_(ids))
                                      .options(selectinload(model.author), selectinload(model.round))):
            found[(kind, row.id)] = row
    return found


@dataclass
class QueueEntry:
    kind: TargetKind
    target_id: int
    flag_count: int
    first_flagged_at: datetime
    target: Target | None = None
    flags: list[Flag] = field(default_factory=list)


def queue(establishment_id: int) -> tuple[Pagination, list[QueueEntry]]:
    """Targets with unresolved flags in this establishment's rounds: most flagged first, then oldest."""
    count = func.count(Flag.id).label("flag_count")
    first = func.min(Flag.created_at).label("first_flagged_at")
    stmt = (select(Flag.target_kind, Flag.target_id, count, first)
            .where(Flag.establishment_id == establishment_id, Flag.resolved_at.is_(None))
            .group_by(Flag.target_kind, Flag.target_id)
            .order_by(count.desc(), first.asc(), Flag.target_kind, Flag.target_id))
    page = paginate_rows(stmt)
    entries = [QueueEntry(kind, target_id, flag_count, first_at)
               for kind, target_id, flag_count, first_at in page.items]
    targets = load_targets((e.kind, e.target_id) for e in entries)
    flags: dict[tuple[TargetKind, int], list[Flag]] = defaultdict(list)
    for kind in {e.kind for e in entries}:
        ids = [e.target_id for e in entries if e.kind is kind]
        for flag in db.session.scalars(select(Flag).where(Flag.target_kind == kind, Flag.target_id.in_(ids),
                                                          Flag.resolved_at.is_(None))
                                       .order_by(Flag.created_at, Flag.id)):
            flags[(kind, flag.target_id)].append(flag)
    for entry in entries:
        entry.target = targets.get((entry.kind, entry.target_id))
        entry.flags = flags[(entry.kind, entry.target_id)]
    return page, entries


def log(establishment_id: int) -> tuple[Pagination, dict[tuple[TargetKind, int], Target]]:
    page = paginate(select(ModerationAction).where(ModerationAction.establishment_id == establishment_id)
                    .options(selectinload(ModerationAction.moderator))
                    .order_by(ModerationAction.at.desc(), ModerationAction.id.desc()))
    return page, load_targets((a.target_kind, a.target_id) for a in page.items)


def history(kind: TargetKind, target_id: int) -> tuple[list[Flag], list[ModerationAction]]:
    """Every flag (open first) and every decision about one target, for the moderator deciding."""
    flags = list(db.session.scalars(select(Flag).where(Flag.target_kind == kind, Flag.target_id == target_id)
                                    .order_by(Flag.resolved_at.is_not(None), Flag.created_at.desc())))
    actions = list(db.session.scalars(select(ModerationAction).where(
        ModerationAction.target_kind == kind, ModerationAction.target_id == target_id)
        .options(selectinload(ModerationAction.moderator)).order_by(ModerationAction.at.desc())))
    return flags, actions


def hidden_counts(round_id: int) -> dict[TargetKind, int]:
    """How many items of each kind are hidden in a round right now: the public transparency count."""
    return {kind: db.session.scalar(select(func.count()).select_from(model).where(
        model.round_id == round_id, model.hidden_at.is_not(None))) or 0 for kind, model in MODELS.items()}


def decision_counts(round_id: int) -> dict[Decision, int]:
    """Decisions taken on content of one round, by kind of decision."""
    counts: dict[Decision, int] = dict.fromkeys(Decision, 0)
    for kind, model in MODELS.items():
        rows = db.session.execute(
            select(ModerationAction.decision, func.count()).join(model, model.id == ModerationAction.target_id)
            .where(ModerationAction.target_kind == kind, model.round_id == round_id)
            .group_by(ModerationAction.decision))
        for decision, number in rows:
            counts[decision] += number
    return counts
