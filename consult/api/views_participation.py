"""Comments, replies, supports, proposed needs and briefs: public reads, and writes with a token.

Writes follow the pages step by step: the same loading (a round the person may see, an item it covers),
the same permission rule, the same form's field checks and messages, the same service, one commit. Only
the way of answering differs: JSON, and a problem where the page would show a message.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from consult.api import serializers
from consult.api.blueprint import acting_user, bp, requires, writes_limited
from consult.api.models import Scope
from consult.api.pagination import page, scope_of
from consult.api.problems import Problem
from consult.api.schemas import INPUTS, POSITION_INPUT
from consult.api.spec import operation
from consult.api.validation import check, form_body, form_errors, json_body
from consult.api.views_common import LIST_PARAMS, check_uid, get_or_404, json_response, not_found
from consult.api.views_rounds import public_round
from consult.core.db import db
from consult.core.permissions import can
from consult.participation.briefs import policies as brief_policies
from consult.participation.briefs import queries as brief_queries
from consult.participation.briefs import services as brief_services
from consult.participation.briefs.forms import BriefForm, PositionForm
from consult.participation.comments import policies as comment_policies
from consult.participation.comments import queries as comment_queries
from consult.participation.comments import services as comment_services
from consult.participation.comments.forms import CommentForm, ProposedNeedForm, ReplyForm
from consult.participation.comments.views import why_not
from consult.participation.models import Brief, BriefCosigner, BriefState, BriefVisibility, Comment, ProposedNeed
from consult.projects.models import VersionItem
from consult.rounds.models import ConsultationRound
from consult.territories.forms import grouped_choices
from consult.territories.models import TerritoryNode

TAG = "participation"
NO_CSRF = {"csrf": False}  # the token is the proof of intent; see blueprint.py


def _visitor() -> AnonymousUserMixin:
    return AnonymousUserMixin()


def _forbidden(message: str) -> Problem:
    return Problem("forbidden", message)


def _conflict(message: str) -> Problem:
    return Problem("conflict", message)


def _invalid(errors: dict[str, list[str]]) -> Problem:
    return Problem("validation", _("Some fields are not valid; nothing was recorded."), errors=errors)


def _round_for(user: Any, round_id: int) -> ConsultationRound:
    """As the pages: a round this person may see (drafts are their planners'), else 404."""
    found = get_or_404(ConsultationRound, round_id)
    if not comment_policies.round_visible(user, found):
        raise not_found()
    return found


def _item_of(round_: ConsultationRound, version_id: int, uid: str) -> VersionItem:
    if not round_.covers(version_id):
        raise not_found()
    found = comment_queries.version_item(version_id, check_uid(uid))
    if found is None:
        raise not_found()
    return found


def _require_taking_part(user: Any, action: str, round_: ConsultationRound) -> None:
    if not can(user, action, round_):
        raise _forbidden(why_not(round_) or _("You cannot take part in this consultation."))


def _comment_for(user: Any, comment_id: int) -> Comment:
    found = get_or_404(Comment, comment_id)
    if not comment_policies.round_visible(user, found.round):
        raise not_found()
    return found


def filled(form_class, data: dict[str, Any]):
    """The page's form, filled as if the fields had been posted: its filters, checks and messages apply."""
    given = MultiDict([(name, value if isinstance(value, str) else str(value)) for name, value in data.items()
                       if value is not None])
    return form_class(formdata=given, meta=NO_CSRF)


def _created(data: dict[str, Any], location: str):
    return json_response(data, 201, {"Location": location})


# Comments ----------------------------------------------------------------------------------------------------


@bp.get("/rounds/<int:round_id>/items/<int:version_id>/<uid>/comments")
@operation(operation_id="listItemComments", tag=TAG, summary=_l("List the comments on an item"),
           description=_l("First comments of the item's threads, oldest first. A comment hidden by moderation "
                          "keeps its place with its reason and without its text or author."),
           params=LIST_PARAMS, response="Comment", many=True, problems=(400, 404))
def item_comments(round_id: int, version_id: int, uid: str):
    found = _item_of(public_round(round_id), version_id, uid)
    stmt = comment_queries.first_level(found.version_id, found.uid)
    return page(stmt, (Comment.id,), lambda c: (c.id,), serializers.comment, scope_of(found.version_id, found.uid))


@bp.post("/rounds/<int:round_id>/items/<int:version_id>/<uid>/comments")
@operation(operation_id="postComment", tag=TAG, summary=_l("Comment on an item"),
           description=_l("Publishes a comment in the token owner's name, as the item's page does: a confirmed "
                          "account, a round open now, and for a round open to organizations only, a member of "
                          "one."),
           body="CommentInput", response="Comment", status=201, scope=Scope.participate,
           problems=(400, 401, 403, 404, 409, 413, 415, 422, 429))
@writes_limited
@requires(Scope.participate)
def post_comment(round_id: int, version_id: int, uid: str):
    user = acting_user()
    round_ = _round_for(user, round_id)
    found = _item_of(round_, version_id, uid)
    _require_taking_part(user, "comments.post", round_)
    data = json_body(INPUTS["CommentInput"])
    form = filled(CommentForm, data)
    if not form.validate():
        raise _invalid(form_errors(form))
    try:
        posted = comment_services.post_comment(round_, found, user, form.body.data)
    except comment_services.ParticipationError as error:
        raise _conflict(error.message) from None
    db.session.commit()
    return _created(serializers.comment(posted), url_for("api.comment", comment_id=posted.id, _external=True))


@bp.get("/comments/<int:comment_id>")
@operation(operation_id="getComment", tag=TAG, summary=_l("One comment"), response="Comment", problems=(404,))
def comment(comment_id: int):
    return serializers.comment(_comment_for(_visitor(), comment_id))


@bp.get("/comments/<int:comment_id>/replies")
@operation(operation_id="listReplies", tag=TAG, summary=_l("List the replies of a thread"),
           description=_l("Every reply of the thread this comment belongs to (replies to replies included), oldest "
                          "first."),
           params=LIST_PARAMS, response="Comment", many=True, problems=(400, 404))
def comment_replies(comment_id: int):
    shown = _comment_for(_visitor(), comment_id)
    root_id = shown.root_id or shown.id
    stmt = (select(Comment).where(Comment.root_id == root_id, Comment.id != root_id)
            .options(joinedload(Comment.author)))
    return page(stmt, (Comment.id,), lambda c: (c.id,), serializers.comment, scope_of(root_id))


@bp.post("/comments/<int:comment_id>/replies")
@operation(operation_id="postReply", tag=TAG, summary=_l("Reply to a comment"),
           description=_l("Publishes a reply in the token owner's name; its author is told, as on the site."),
           body="CommentInput", response="Comment", status=201, scope=Scope.participate,
           problems=(400, 401, 403, 404, 409, 413, 415, 422, 429))
@writes_limited
@requires(Scope.participate)
def post_reply(comment_id: int):
    user = acting_user()
    parent = _comment_for(user, comment_id)
    _require_taking_part(user, "comments.post", parent.round)
    data = json_body(INPUTS["CommentInput"])
    form = filled(ReplyForm, data)
    if not form.validate():
        raise _invalid(form_errors(form))
    try:
        posted = comment_services.post_reply(parent, user, form.body.data)
    except comment_services.ParticipationError as error:
        raise _conflict(error.message) from None
    db.session.commit()
    return _created(serializers.comment(posted), url_for("api.comment", comment_id=posted.id, _external=True))


# Supports ----------------------------------------------------------------------------------------------------


def _support_change(round_id: int, version_id: int, uid: str, retract: bool):
    user = acting_user()
    round_ = _round_for(user, round_id)
    found = _item_of(round_, version_id, uid)
    _require_taking_part(user, "supports.give", round_)
    try:
        if retract:
            comment_services.retract_support(round_, found, user)
        else:
            comment_services.support(round_, found, user)
    except comment_services.ParticipationError as error:
        raise _conflict(error.message) from None
    db.session.commit()
    return {"supported": comment_queries.supports(user, found.version_id, found.uid),
            "supports": comment_queries.support_count(found.version_id, found.uid)}


@bp.post("/rounds/<int:round_id>/items/<int:version_id>/<uid>/support")
@operation(operation_id="supportItem", tag=TAG, summary=_l("Support an item"),
           description=_l("Records the token owner's support, once: supporting again changes nothing."),
           response="SupportState", scope=Scope.participate, problems=(401, 403, 404, 409, 429))
@writes_limited
@requires(Scope.participate)
def support(round_id: int, version_id: int, uid: str):
    return _support_change(round_id, version_id, uid, retract=False)


@bp.delete("/rounds/<int:round_id>/items/<int:version_id>/<uid>/support")
@operation(operation_id="retractSupport", tag=TAG, summary=_l("Withdraw a support"),
           description=_l("Withdraws the token owner's support while the round is open."),
           response="SupportState", scope=Scope.participate, problems=(401, 403, 404, 409, 429))
@writes_limited
@requires(Scope.participate)
def retract_support(round_id: int, version_id: int, uid: str):
    return _support_change(round_id, version_id, uid, retract=True)


# Proposed needs ----------------------------------------------------------------------------------------------


@bp.get("/rounds/<int:round_id>/proposed-needs")
@operation(operation_id="listProposedNeeds", tag=TAG, summary=_l("List the needs proposed by participants"),
           description=_l("Needs participants find missing from the needs portrait, oldest first, with the "
                          "planners' decision."),
           params=LIST_PARAMS, response="ProposedNeed", many=True, problems=(400, 404))
def proposed_needs(round_id: int):
    found = public_round(round_id)
    stmt = (select(ProposedNeed).where(ProposedNeed.round_id == found.id)
            .options(joinedload(ProposedNeed.author), joinedload(ProposedNeed.area)))
    return page(stmt, (ProposedNeed.id,), lambda p: (p.id,), serializers.proposed_need, scope_of(found.id))


@bp.get("/proposed-needs/<int:proposed_need_id>")
@operation(operation_id="getProposedNeed", tag=TAG, summary=_l("One proposed need"), response="ProposedNeed",
           problems=(404,))
def proposed_need(proposed_need_id: int):
    found = get_or_404(ProposedNeed, proposed_need_id)
    if not comment_policies.round_visible(_visitor(), found.round):
        raise not_found()
    return serializers.proposed_need(found)


@bp.post("/rounds/<int:round_id>/proposed-needs")
@operation(operation_id="proposeNeed", tag=TAG, summary=_l("Propose a missing need"),
           description=_l("For a round that puts the needs portrait in consultation. `area_id` is one of the "
                          "project's territories (see the project's `territories` and /territories)."),
           body="ProposedNeedInput", response="ProposedNeed", status=201, scope=Scope.participate,
           problems=(400, 401, 403, 404, 409, 413, 415, 422, 429))
@writes_limited
@requires(Scope.participate)
def propose_need(round_id: int):
    user = acting_user()
    round_ = _round_for(user, round_id)
    version = comment_queries.needs_version(round_)
    if version is None:
        raise not_found()
    _require_taking_part(user, "proposed_needs.propose", round_)
    data = json_body(INPUTS["ProposedNeedInput"])
    form = filled(ProposedNeedForm, data)
    form.area_id.choices = grouped_choices(comment_queries.project_areas(round_.project), empty=_("None"))
    if not form.validate():
        raise _invalid(form_errors(form))
    area = db.session.get(TerritoryNode, form.area_id.data) if form.area_id.data else None
    try:
        proposed = comment_services.propose_need(round_, version, user, title=form.title.data,
                                                 description=form.description.data, area=area)
    except comment_services.ParticipationError as error:
        raise _conflict(error.message) from None
    db.session.commit()
    return _created(serializers.proposed_need(proposed),
                    url_for("api.proposed_need", proposed_need_id=proposed.id, _external=True))


# Briefs ------------------------------------------------------------------------------------------------------


def _brief_loads() -> tuple:
    return (joinedload(Brief.organization), selectinload(Brief.positions), selectinload(Brief.attachments),
            selectinload(Brief.cosigners).joinedload(BriefCosigner.organization))


@bp.get("/rounds/<int:round_id>/briefs")
@operation(operation_id="listBriefs", tag=TAG, summary=_l("List a round's public briefs"),
           description=_l("Briefs stay with the establishment until the round closes; then the submitted briefs "
                          "their organizations made public are listed here. Withdrawn and confidential briefs "
                          "never are."),
           params=LIST_PARAMS, response="Brief", many=True, problems=(400, 404))
def round_briefs(round_id: int):
    found = public_round(round_id)
    stmt = select(Brief).where(Brief.round_id == found.id, Brief.state == BriefState.submitted,
                               Brief.visibility == BriefVisibility.public).options(*_brief_loads())
    if not found.has_closed:
        stmt = stmt.where(Brief.id.is_(None))  # nothing before closing, as on the page
    return page(stmt, (Brief.id,), lambda b: (b.id,), serializers.brief, scope_of(found.id))


@bp.get("/briefs/<int:brief_id>")
@operation(operation_id="getBrief", tag=TAG, summary=_l("One public brief"),
           description=_l("A brief the public may read; a brief hidden by moderation shows its reason only."),
           response="Brief", problems=(404,))
def brief(brief_id: int):
    found = get_or_404(Brief, brief_id)
    if not can(_visitor(), "brief.view", found):
        raise not_found()
    return serializers.brief(found)


def _organization_of(user: Any, data: dict[str, Any]):
    represented = brief_queries.represented_by(user)
    wanted = data.get("organization_id")
    if wanted is None:
        if len(represented) == 1:
            return represented[0]
        raise _invalid({"organization_id": [_("Choose the organization the brief speaks for.")]})
    found = next((o for o in represented if o.id == wanted), None)
    if found is None:
        raise _invalid({"organization_id": [_("Choose an organization you represent.")]})
    return found


def _positions_of(round_: ConsultationRound, raw: str | None) -> list[tuple[VersionItem, Any, str | None]]:
    """Each position as (item, stance, text), checked by the page's position form."""
    if not raw:
        return []
    try:
        given = json.loads(raw)
    except (ValueError, RecursionError):
        raise _invalid({"positions": [_("Give a JSON array of positions.")]}) from None
    if not isinstance(given, list):
        raise _invalid({"positions": [_("Give a JSON array of positions.")]})
    errors = check(given, {"type": "array", "items": POSITION_INPUT}, "positions")
    if errors:
        raise _invalid(errors)
    choices = [(f"{i.version_id}:{i.uid}", "") for i in brief_queries.items_in_consultation(round_)]
    found: list[tuple[VersionItem, Any, str | None]] = []
    for index, position in enumerate(given):
        form = filled(PositionForm, {"item": f"{position['version_id']}:{position['item_uid']}",
                                     "stance": position["stance"], "text": position.get("text")})
        form.item.choices = choices
        if not form.validate():
            raise _invalid({f"positions/{index}/{name}": messages for name, messages in form_errors(form).items()})
        key = form.item_key()
        item = brief_queries.item_in_consultation(round_, *key) if key else None
        if item is None:
            raise _invalid({f"positions/{index}/item": [_("Choose an item of this round.")]})
        found.append((item, form.stance.data, form.text.data))
    return found


@bp.post("/rounds/<int:round_id>/briefs")
@operation(operation_id="submitBrief", tag=TAG, summary=_l("Submit a brief"),
           description=_l("Writes and submits a brief in one request, for an organization the token's owner "
                          "represents, as the brief pages do: text, positions on items in consultation, and "
                          "attachments (PDF, DOCX or ODT, checked from their bytes). The round must be open and "
                          "take briefs from organizations. A receipt is sent by e-mail; co-signers are asked on "
                          "the site."),
           body="BriefInput", media_type="multipart/form-data", response="BriefReceipt", status=201,
           scope=Scope.participate, problems=(400, 401, 403, 404, 409, 413, 415, 422, 429))
@writes_limited
@requires(Scope.participate)
def submit_brief(round_id: int):
    user = acting_user()
    round_ = get_or_404(ConsultationRound, round_id)
    if not can(user, "briefs.round", round_):
        raise not_found()
    if not can(user, "brief.start", round_):
        if not round_.welcomes_organizations():
            raise _forbidden(_("This round takes input from citizens; it does not take briefs from organizations."))
        if not brief_policies.represents_any(user):
            raise _forbidden(_("Only the representatives of an organization can write a brief. Ask your "
                               "organization to name you one of its representatives, or register your "
                               "organization."))
        raise _conflict(brief_services.timing_message(round_) or _("This round does not take briefs right now."))
    data, files = form_body(INPUTS["BriefInput"])
    organization = _organization_of(user, data)
    form = filled(BriefForm, {"title": data.get("title"), "summary": data.get("summary"), "body": data.get("body"),
                              "visibility": data.get("visibility") or BriefVisibility.public.value})
    if not form.validate():
        raise _invalid(form_errors(form))
    positions = _positions_of(round_, data.get("positions"))
    limit = current_app.config["CONSULT_BRIEF_MAX_ATTACHMENTS"]
    if len(files) > limit:
        raise _invalid({"attachments": [_("A brief can have at most %(max)d attachments.", max=limit)]})
    try:
        created = brief_services.start_brief(round_, organization, user, title=form.title.data,
                                             form_token=secrets.token_urlsafe(32))
        if not can(user, "brief.edit", created):  # as the draft's editor page: its representatives only
            raise _forbidden(_("Only the representatives of %(name)s can change this draft.",
                               name=organization.name))
        brief_services.save_text(created, title=form.title.data, summary=form.summary.data, body=form.body.data,
                                 visibility=form.visibility.data)
        for index, (item, stance, text) in enumerate(positions):
            try:
                brief_services.set_position(created, item, stance, text)
            except brief_services.BriefError as error:
                raise _invalid({f"positions/{index}/{error.field or 'item'}": [error.message]}) from None
        for upload in files:
            brief_services.add_attachment(created, upload)
        if not can(user, "brief.submit", created):
            raise _forbidden(_("Only the representatives of %(name)s can submit this brief.",
                               name=organization.name))
        brief_services.submit(created, user)
    except brief_services.LateSubmission as error:
        raise _conflict(error.message) from None
    except brief_services.BriefError as error:
        field = {"file": "attachments", None: "body"}.get(error.field, error.field or "body")
        raise _invalid({field: [error.message]}) from None
    db.session.commit()
    return _created(serializers.receipt(created), serializers.link("participation.brief", brief_id=created.id))

