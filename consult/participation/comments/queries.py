"""Read helpers for comment threads, supports and proposed needs.

A need may gather ten thousand comments: first-level comments page in SQL on ix_comments_item
(version_id, item_uid, parent_id, id), authors come in the same query, and reply counts are read from
the stored counter, never by loading replies.
"""

from __future__ import annotations

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from consult.core.db import db
from consult.core.pagination import paginate
from consult.participation.models import (
    Comment,
    Disposition,
    InputKind,
    ParticipantProfile,
    ProposedNeed,
    Support,
)
from consult.projects.models import ClinicalProject, ProjectStep, StepVersion, VersionItem
from consult.rounds.models import ConsultationRound
from consult.territories.models import Level, TerritoryNode
from consult.territories.queries import children_by_parent, nodes_of_levels


def version_item(version_id: int, uid: str) -> VersionItem | None:
    return db.session.scalar(select(VersionItem).where(VersionItem.version_id == version_id, VersionItem.uid == uid)
                             .limit(1))


def first_level(version_id: int, uid: str):
    return (select(Comment).where(Comment.version_id == version_id, Comment.item_uid == uid,
                                  Comment.parent_id.is_(None))
            .options(joinedload(Comment.author)).order_by(Comment.id))


def thread_page(version_id: int, uid: str) -> Pagination:
    """First-level comments, oldest first, one page."""
    return paginate(first_level(version_id, uid))


def replies_page(root: Comment, page: int | None = None) -> Pagination:
    """Every reply in a thread (replies to replies included), oldest first, one page: ?page=N, or `page`
    (the page holding a reply whose form is shown again with its errors)."""
    stmt = (select(Comment).where(Comment.root_id == root.id, Comment.id != root.id)
            .options(joinedload(Comment.author), joinedload(Comment.parent).joinedload(Comment.author))
            .order_by(Comment.id))
    if page is None:
        return paginate(stmt)
    return db.paginate(stmt, page=page, per_page=current_app.config["CONSULT_PAGE_SIZE"], error_out=False)


def page_of(comment: Comment) -> int:
    """The page on which `comment` appears: among first-level comments of its item, or among the replies
    of its thread."""
    if comment.parent_id is None:
        stmt = select(func.count(Comment.id)).where(Comment.version_id == comment.version_id,
                                                    Comment.item_uid == comment.item_uid,
                                                    Comment.parent_id.is_(None), Comment.id <= comment.id)
    else:
        stmt = select(func.count(Comment.id)).where(Comment.root_id == comment.root_id,
                                                    Comment.id != comment.root_id, Comment.id <= comment.id)
    position = db.session.scalar(stmt) or 1
    return (position - 1) // current_app.config["CONSULT_PAGE_SIZE"] + 1


def where_it_appears(comment: Comment) -> str:
    """The link to the page showing `comment` in its thread, scrolled to it."""
    from flask import url_for

    anchor = f"comment-{comment.id}"
    if comment.parent_id is None:
        return url_for("participation.item", round_id=comment.round_id, version_id=comment.version_id,
                       uid=comment.item_uid, page=page_of(comment), _anchor=anchor)
    return url_for("participation.replies", comment_id=comment.root_id, page=page_of(comment), _anchor=anchor)


def answers_to(kind: InputKind, ids: list[int]) -> dict[int, Disposition]:
    """The establishment's answer to each of these inputs, when there is one."""
    if not ids:
        return {}
    rows = db.session.scalars(select(Disposition).where(Disposition.input_kind == kind,
                                                        Disposition.input_id.in_(ids)))
    return {d.input_id: d for d in rows}


def support_count(version_id: int, uid: str) -> int:
    return db.session.scalar(select(func.count(Support.id)).where(Support.version_id == version_id,
                                                                  Support.item_uid == uid)) or 0


def supports(user, version_id: int, uid: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(select(exists().where(Support.version_id == version_id, Support.item_uid == uid,
                                                        Support.user_id == user.id))))


def needs_version(round_: ConsultationRound) -> StepVersion | None:
    """The needs portrait (step 1) version in consultation in this round, if any."""
    return next((v for v in round_.versions if v.step.number == 1), None)


def proposed_needs_page(round_: ConsultationRound) -> Pagination:
    stmt = (select(ProposedNeed).where(ProposedNeed.round_id == round_.id)
            .options(joinedload(ProposedNeed.author), joinedload(ProposedNeed.area)).order_by(ProposedNeed.id))
    return paginate(stmt)


def published_need(project: ClinicalProject, uid: str, after: StepVersion) -> VersionItem | None:
    """The latest version of step 1 newer than `after` that carries the need `uid`."""
    return db.session.scalar(
        select(VersionItem).join(StepVersion, StepVersion.id == VersionItem.version_id)
        .join(ProjectStep, ProjectStep.id == StepVersion.step_id)
        .where(ProjectStep.project_id == project.id, ProjectStep.number == 1, StepVersion.number > after.number,
               VersionItem.kind == "need", VersionItem.uid == uid)
        .order_by(StepVersion.number.desc()).limit(1))


def project_areas(project: ClinicalProject) -> list[TerritoryNode]:
    """The project's territories and everything below them; the whole tree when it names none."""
    if not project.territories:
        return nodes_of_levels(*Level)
    nodes = list(project.territories)
    for group in children_by_parent([t.id for t in project.territories]).values():
        nodes += group
    return sorted({n.id: n for n in nodes}.values(), key=lambda n: n.code)


def local_areas() -> list[TerritoryNode]:
    """Where a participant may say they live: every node below the regions."""
    return nodes_of_levels(Level.rls, Level.clsc, Level.municipality, Level.neighbourhood)


def profile_of(user) -> ParticipantProfile | None:
    return db.session.get(ParticipantProfile, user.id)
