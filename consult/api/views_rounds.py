"""Consultation rounds (out of draft), the items they put in consultation, the establishment's answers once
the round has closed, the latest published summary, and the open-data ZIP."""

from __future__ import annotations

from flask import Response, current_app
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from consult.api import open_data, serializers
from consult.api.blueprint import bp
from consult.api.pagination import page, scope_of
from consult.api.schemas import ITEM_KINDS, identifier
from consult.api.spec import Param, operation
from consult.api.views_common import LIST_PARAMS, choice_arg, get_or_404, int_arg, not_found
from consult.core.db import db
from consult.core.permissions import can
from consult.participation.models import (
    Brief,
    BriefState,
    BriefVisibility,
    Comment,
    Disposition,
    InputKind,
    ProposedNeed,
    Support,
)
from consult.projects.models import ClinicalProject, StepVersion, VersionItem
from consult.rounds.models import ConsultationRound, RoundInvitation, RoundState
from consult.summaries import policies as _summary_rules  # noqa: F401  (registers "summaries.read")
from consult.summaries.content import public_view, source_url
from consult.summaries.models import Summary, SummaryState

TAG = "rounds"
PUBLIC_STATES = [s.value for s in RoundState if s is not RoundState.draft]


def _public_reader() -> AnonymousUserMixin:
    """Every read is checked as a visitor would be: the API serves what is public, whoever asks."""
    return AnonymousUserMixin()


def public_round(round_id: int) -> ConsultationRound:
    """A round the public may read (out of draft, rule "rounds.view" for a visitor), or 404."""
    found = get_or_404(ConsultationRound, round_id)
    if not can(_public_reader(), "rounds.view", found):
        raise not_found()
    return found


def _round_loads() -> tuple:
    return (joinedload(ConsultationRound.project).joinedload(ClinicalProject.establishment),
            selectinload(ConsultationRound.versions).joinedload(StepVersion.step),
            selectinload(ConsultationRound.questions),
            selectinload(ConsultationRound.invitations).joinedload(RoundInvitation.organization),
            selectinload(ConsultationRound.invitations).joinedload(RoundInvitation.establishment))


@bp.get("/rounds")
@operation(operation_id="listRounds", tag=TAG, summary=_l("List consultation rounds"),
           description=_l("Every round out of draft: scheduled, open, closed, summarized or published."),
           params=(*LIST_PARAMS,
                   Param("state", {"type": "string", "enum": PUBLIC_STATES}, _l("Only rounds in this state.")),
                   Param("project_id", identifier(), _l("Only this project's rounds.")),
                   Param("establishment_id", identifier(), _l("Only this establishment's rounds."))),
           response="Round", many=True, problems=(400,))
def rounds():
    stmt = select(ConsultationRound).where(ConsultationRound.state != RoundState.draft).options(*_round_loads())
    state = choice_arg("state", PUBLIC_STATES)
    if state is not None:
        stmt = stmt.where(ConsultationRound.state == RoundState(state))
    project_id = int_arg("project_id")
    if project_id is not None:
        stmt = stmt.where(ConsultationRound.project_id == project_id)
    establishment_id = int_arg("establishment_id")
    if establishment_id is not None:
        stmt = stmt.where(ConsultationRound.project_id.in_(
            select(ClinicalProject.id).where(ClinicalProject.establishment_id == establishment_id)))
    return page(stmt, (ConsultationRound.id,), lambda r: (r.id,), serializers.round_,
                scope_of(state, project_id, establishment_id))


@bp.get("/rounds/<int:round_id>")
@operation(operation_id="getRound", tag=TAG, summary=_l("One consultation round"),
           description=_l("Its mandate and participation level, dates, the versions in consultation, the guiding "
                          "questions, and who was invited and took part."),
           response="Round", problems=(404,))
def round_(round_id: int):
    found = public_round(round_id)
    loaded = db.session.scalar(select(ConsultationRound).where(ConsultationRound.id == found.id)
                               .options(*_round_loads()))
    return serializers.round_(loaded)


@bp.get("/rounds/<int:round_id>/items")
@operation(operation_id="listRoundItems", tag=TAG, summary=_l("List the items in consultation"),
           description=_l("The items of the versions a round puts in consultation, each with its number of "
                          "supports and comments. `?kind=need` lists the needs."),
           params=(*LIST_PARAMS, Param("kind", {"type": "string", "enum": ITEM_KINDS}, _l("Only items of this kind.")),
                   Param("version_id", identifier(), _l("Only the items of this version."))),
           response="RoundItem", many=True, problems=(400, 404))
def round_items(round_id: int):
    found = public_round(round_id)
    steps = {v.id: v.step.number for v in found.versions}
    version_ids = list(steps)
    wanted = int_arg("version_id")
    if wanted is not None:
        version_ids = [v for v in version_ids if v == wanted]
    stmt = select(VersionItem).where(VersionItem.version_id.in_(version_ids or [-1]))
    kind = choice_arg("kind", ITEM_KINDS)
    if kind is not None:
        stmt = stmt.where(VersionItem.kind == kind)
    result = page(stmt, (VersionItem.version_id, VersionItem.position, VersionItem.id),
                  lambda i: (i.version_id, i.position, i.id), lambda i: i, scope_of(found.id, kind, wanted))
    items: list[VersionItem] = result["items"]
    supports, comments = _counts(found, items)
    result["items"] = [serializers.round_item(i, found, steps[i.version_id], supports.get((i.version_id, i.uid), 0),
                                              comments.get((i.version_id, i.uid), 0)) for i in items]
    return result


def _counts(found: ConsultationRound, items: list[VersionItem]) -> tuple[dict, dict]:
    if not items:
        return {}, {}
    keys = or_(*(and_(Support.version_id == i.version_id, Support.item_uid == i.uid) for i in items))
    supports = {(v, u): n for v, u, n in db.session.execute(
        select(Support.version_id, Support.item_uid, func.count(Support.id)).where(keys)
        .group_by(Support.version_id, Support.item_uid))}
    keys = or_(*(and_(Comment.version_id == i.version_id, Comment.item_uid == i.uid) for i in items))
    comments = {(v, u): n for v, u, n in db.session.execute(
        select(Comment.version_id, Comment.item_uid, func.count(Comment.id))
        .where(keys, Comment.round_id == found.id, Comment.hidden_at.is_(None))
        .group_by(Comment.version_id, Comment.item_uid))}
    return supports, comments


def public_inputs(found: ConsultationRound):
    """(kind, id) of the inputs whose answer the public may read: submitted public briefs, comment threads and
    proposed needs, none hidden by moderation. Confidential briefs and hidden inputs stay out."""
    briefs = select(Brief.id).where(Brief.round_id == found.id, Brief.state == BriefState.submitted,
                                    Brief.visibility == BriefVisibility.public, Brief.hidden_at.is_(None))
    threads = select(Comment.id).where(Comment.round_id == found.id, Comment.parent_id.is_(None),
                                       Comment.hidden_at.is_(None))
    needs = select(ProposedNeed.id).where(ProposedNeed.round_id == found.id, ProposedNeed.hidden_at.is_(None))
    return or_(and_(Disposition.input_kind == InputKind.brief, Disposition.input_id.in_(briefs)),
               and_(Disposition.input_kind == InputKind.comment, Disposition.input_id.in_(threads)),
               and_(Disposition.input_kind == InputKind.proposed_need, Disposition.input_id.in_(needs)))


@bp.get("/rounds/<int:round_id>/answers")
@operation(operation_id="listAnswers", tag=TAG, summary=_l("List the establishment's answers"),
           description=_l("Once the round has closed (as “What we heard, what we did”): the answer to each public "
                          "input — retained, partly retained, not retained or out of scope — with its reason. "
                          "Before closing, the list is empty."),
           params=(*LIST_PARAMS, Param("input_kind", {"type": "string", "enum": [k.value for k in InputKind]},
                                       _l("Only answers to this kind of input."))),
           response="Answer", many=True, problems=(400, 404))
def answers(round_id: int):
    found = public_round(round_id)
    stmt = select(Disposition).where(Disposition.round_id == found.id, public_inputs(found))
    if not can(_public_reader(), "participation.heard.view", found):
        stmt = stmt.where(Disposition.id.is_(None))  # not public yet: as on the page, nothing to read
    kind = choice_arg("input_kind", [k.value for k in InputKind])
    if kind is not None:
        stmt = stmt.where(Disposition.input_kind == InputKind(kind))
    return page(stmt, (Disposition.id,), lambda d: (d.id,), serializers.answer, scope_of(found.id, kind))


def latest_summary(found: ConsultationRound) -> Summary | None:
    return db.session.scalar(select(Summary).where(Summary.round_id == found.id,
                                                   Summary.state == SummaryState.published)
                             .order_by(Summary.published_at.desc(), Summary.number.desc()).limit(1))


def _with_links(content: dict, round_id: int) -> dict:
    """Every quote's source gets `url`, the absolute link that opens it in context."""

    # The page that shows a source in context may not be deployed yet: then the link is null, not an error.
    resolvable = "summaries.source" in current_app.view_functions

    def linked(quote: dict) -> dict:
        source = dict(quote.get("source") or {})
        if source:
            source["url"] = source_url(round_id, source, external=True) if resolvable else None  # type: ignore[arg-type]
        return {**quote, "source": source}

    out = dict(content)
    out["themes"] = [{**theme, "quotes": [linked(q) for q in theme.get("quotes", [])]}
                     for theme in content.get("themes", [])]
    out["items"] = [{**item, "quotes": [linked(q) for q in item.get("quotes", [])]}
                    for item in content.get("items", [])]
    out["campaigns"] = [linked(c) for c in content.get("campaigns", [])]
    out["proposed_needs"] = [linked(p) for p in content.get("proposed_needs", [])]
    out.pop("extraction_problems", None)  # for planners: which files could not be read
    return out


def _summary_page(summary: Summary) -> str | None:
    if "summaries.summary" not in current_app.view_functions:
        return None
    return serializers.link("summaries.summary", summary_id=summary.id)


@bp.get("/rounds/<int:round_id>/summary")
@operation(operation_id="getRoundSummary", tag=TAG, summary=_l("The round's published summary"),
           description=_l("The latest published summary, with its themes and each quote's source link. Positions "
                          "held in confidential briefs are not attributed. 404 until a summary is published."),
           response="Summary", problems=(404,))
def round_summary(round_id: int):
    found = public_round(round_id)
    summary = latest_summary(found)
    if summary is None or not can(_public_reader(), "summaries.read", summary):
        raise not_found()
    return {"id": summary.id, "round_id": found.id, "number": summary.number,
            "published_at": serializers.stamp(summary.published_at or summary.created_at),
            "content": _with_links(dict(public_view(summary.content)), found.id),  # type: ignore[arg-type]
            "url": _summary_page(summary)}


@bp.get("/rounds/<int:round_id>/open-data")
@operation(operation_id="getRoundOpenData", tag=TAG, summary=_l("The round's open data (ZIP)"),
           description=_l("A ZIP of CSV files (UTF-8 with BOM) of the round's public content, with a data "
                          "dictionary in French and English. Hidden, withdrawn and confidential content and "
                          "personal information are left out."),
           response=None, produces="application/zip", problems=(404,))
def open_data_zip(round_id: int):
    found = public_round(round_id)
    return zip_response(found)


def zip_response(found: ConsultationRound) -> Response:
    data = open_data.build(found)
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{open_data.filename(found)}"'})
