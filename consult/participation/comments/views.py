"""Pages of an item in consultation: its comment threads (replies on demand), supports, edits and their
public history; proposed needs and the planners' decision on them; the consented participant profile."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from consult.accounts.forms import EmptyForm
from consult.core import permissions
from consult.core.db import db
from consult.core.errors import acting_user as _user
from consult.core.errors import deny
from consult.core.pagination import paginate
from consult.core.ratelimits import limit_posts
from consult.i18n.locale import current_lang
from consult.participation.blueprint import bp
from consult.participation.comments import policies, queries, services
from consult.participation.comments.forms import (
    AcceptProposedNeedForm,
    CommentForm,
    EditCommentForm,
    ProfileForm,
    ProposedNeedForm,
    ReplyForm,
)
from consult.participation.comments.services import ParticipationError
from consult.participation.models import Comment, CommentRevision, InputKind, ParticipantProfile, ProposedNeed
from consult.projects.kinds import KINDS
from consult.projects.models import VersionItem
from consult.rounds.models import Audience, ConsultationRound
from consult.territories.forms import grouped_choices
from consult.territories.models import TerritoryNode


def why_not(round_: ConsultationRound) -> str | None:
    """Why the current reader cannot take part in this round right now (None: they can)."""
    if not current_user.is_authenticated:
        return _("Sign in to comment, support or propose a need.")
    if not current_user.is_verified:
        return _("Confirm your e-mail address to take part: follow the link we sent you, or ask for a new one "
                 "from your account page.")
    if round_.audience is Audience.organizations and not policies.belongs_to_an_organization(current_user):
        return _("This consultation is open to organizations only: members and representatives of an "
                 "organization take part. You can still read everything.")
    if not round_.is_open():
        return services.closed_reason(round_)
    return None


def _require_taking_part(action: str, round_: ConsultationRound) -> None:
    if not permissions.can(current_user, action, round_):
        deny(why_not(round_) or _("You cannot take part in this consultation."))


def _round_or_404(round_id: int) -> ConsultationRound:
    round_ = db.get_or_404(ConsultationRound, round_id)
    if not policies.round_visible(current_user, round_):
        abort(404)
    return round_


def _item_or_404(round_: ConsultationRound, version_id: int, uid: str) -> VersionItem:
    if not round_.covers(version_id):
        abort(404)
    found = queries.version_item(version_id, uid)
    if found is None:
        abort(404)
    return found


def _comment_or_404(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id)
    if not policies.round_visible(current_user, comment.round):
        abort(404)
    return comment


def _item_context(round_: ConsultationRound, found: VersionItem) -> dict[str, Any]:
    version = next(v for v in round_.versions if v.id == found.version_id)
    step = version.step
    return {"round": round_, "item": found, "version": version, "step": step, "project": step.project,
            "spec": KINDS.get(found.kind), "lang": current_lang(), "why_not": why_not(round_)}


def _reply_forms(override: tuple[int, ReplyForm] | None = None) -> dict[int, ReplyForm]:
    """The reply form sent back with its errors, by the comment it answers; blank ones come from blank_reply_form."""
    return dict([override]) if override else {}


def blank_reply_form(comment: Comment) -> ReplyForm:
    """Built only when the comment's reply form is not already kept (templates: fragment "reply-form")."""
    return ReplyForm(prefix=f"reply{comment.id}", formdata=None)


# The item and its threads --------------------------------------------------------------------------


def _item_page(round_: ConsultationRound, found: VersionItem, form: CommentForm | None = None, status: int = 200):
    page = queries.thread_page(found.version_id, found.uid)
    comments = list(page.items)
    context = _item_context(round_, found)
    # Forms only for someone who may use them: a form carries a CSRF token tied to the reader's session,
    # which would keep a visitor's page out of the page cache.
    taking_part = context["why_not"] is None
    return render_template(
        "participation/comments/item.html", **context, page=page, comments=comments,
        answers=queries.answers_to(InputKind.comment, [c.id for c in comments]),
        support_count=queries.support_count(found.version_id, found.uid),
        supported=queries.supports(current_user, found.version_id, found.uid),
        form=(form or CommentForm(formdata=None)) if taking_part else None,
        reply_forms={}, blank_reply_form=blank_reply_form,
        button_form=EmptyForm() if taking_part else None,
        needs_version=queries.needs_version(round_)), status


@bp.get("/rounds/<int:round_id>/items/<int:version_id>/<uid>")
def item(round_id: int, version_id: int, uid: str):
    round_ = _round_or_404(round_id)
    return _item_page(round_, _item_or_404(round_, version_id, uid))


@bp.post("/rounds/<int:round_id>/items/<int:version_id>/<uid>/comments")
@login_required
@limit_posts
def comment(round_id: int, version_id: int, uid: str):
    round_ = _round_or_404(round_id)
    found = _item_or_404(round_, version_id, uid)
    _require_taking_part("comments.post", round_)
    form = CommentForm()
    if not form.validate_on_submit():
        return _item_page(round_, found, form, 422)
    try:
        posted = services.post_comment(round_, found, _user(), form.body.data)
    except ParticipationError as error:
        flash(error.message, "error")
        return _item_page(round_, found, form, 422)
    # Where it appears is read before the commit, which would expire `posted` and cost two more queries.
    target = queries.where_it_appears(posted)
    db.session.commit()
    flash(_("Your comment was published."), "success")
    return redirect(target)


def _replies_page(root: Comment, override: tuple[int, ReplyForm] | None = None, status: int = 200,
                  override_comment: Comment | None = None):
    round_ = root.round
    found = queries.version_item(root.version_id, root.item_uid)
    if found is None:
        abort(404)
    # A reply form shown again with its errors stays on the page of the comment it answers.
    shown_page = queries.page_of(override_comment) if override_comment and override_comment.parent_id else None
    page = queries.replies_page(root, shown_page)
    replies = list(page.items)
    answers = queries.answers_to(InputKind.comment, [root.id])
    context = _item_context(round_, found)
    return render_template(
        "participation/comments/replies.html", **context, root=root, page=page,
        replies=replies, answers=answers,
        reply_forms=_reply_forms(override), blank_reply_form=blank_reply_form,
        root_page=queries.page_of(root)), status


@bp.get("/comments/<int:comment_id>/replies")
def replies(comment_id: int):
    shown = _comment_or_404(comment_id)
    if shown.parent_id is not None:  # a reply: its thread is the root's
        return redirect(queries.where_it_appears(shown))
    return _replies_page(shown)


@bp.post("/comments/<int:comment_id>/reply")
@login_required
@limit_posts
def reply(comment_id: int):
    parent = _comment_or_404(comment_id)
    _require_taking_part("comments.post", parent.round)
    root = parent if parent.parent_id is None else db.get_or_404(Comment, parent.root_id)
    form = ReplyForm(prefix=f"reply{parent.id}")
    if not form.validate_on_submit():
        return _replies_page(root, (parent.id, form), 422, parent)
    try:
        posted = services.post_reply(parent, _user(), form.body.data)
    except ParticipationError as error:
        flash(error.message, "error")
        return _replies_page(root, (parent.id, form), 422, parent)
    # Where it appears is read before the commit, which would expire `posted` and cost two more queries.
    target = queries.where_it_appears(posted)
    db.session.commit()
    flash(_("Your reply was published."), "success")
    return redirect(target)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
@limit_posts
def edit_comment(comment_id: int):
    target = _comment_or_404(comment_id)
    if not permissions.can(current_user, "comments.author", target):
        deny(_("Only the author of a comment can change it."))
    if target.is_hidden:
        deny(_("This comment was hidden by moderation; it can no longer be changed."))
    if not policies.within_edit_window(target):
        deny(_("The time to change this comment is over (%(minutes)d minutes after it was published). You can "
               "add a reply instead.", minutes=current_app.config["CONSULT_COMMENT_EDIT_MINUTES"]))
    if not target.round.is_open():
        deny(services.closed_reason(target.round))
    form = EditCommentForm(data={"body": target.body} if request.method == "GET" else None)
    context = {"comment": target, "form": form, "back": queries.where_it_appears(target),
               "deadline": policies.edit_deadline(target)}
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("participation/comments/edit.html", **context), status
    try:
        changed = services.edit_comment(target, _user(), form.body.data)
    except ParticipationError as error:
        flash(error.message, "error")
        return render_template("participation/comments/edit.html", **context), 422
    db.session.commit()
    flash(_("Your comment was changed. Its earlier text stays in its public history.") if changed
          else _("Nothing changed."), "success")
    return redirect(queries.where_it_appears(target))


@bp.get("/comments/<int:comment_id>/history")
def comment_history(comment_id: int):
    shown = _comment_or_404(comment_id)
    page = paginate(select(CommentRevision).where(CommentRevision.comment_id == shown.id)
                    .order_by(CommentRevision.id.desc()))
    return render_template("participation/comments/history.html", comment=shown, page=page,
                           back=queries.where_it_appears(shown))


# Supports ------------------------------------------------------------------------------------------


def _support_action(round_id: int, version_id: int, uid: str, retract: bool):
    round_ = _round_or_404(round_id)
    found = _item_or_404(round_, version_id, uid)
    _require_taking_part("supports.give", round_)
    back = url_for("participation.item", round_id=round_.id, version_id=version_id, uid=uid, _anchor="support")
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    try:
        if retract:
            changed = services.retract_support(round_, found, _user())
        else:
            changed = services.support(round_, found, _user())
    except ParticipationError as error:
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    if retract:
        flash(_("Your support was withdrawn.") if changed else _("You were not supporting this item."), "success")
    else:
        flash(_("Your support was recorded.") if changed else _("You already support this item."), "success")
    return redirect(back)


@bp.post("/rounds/<int:round_id>/items/<int:version_id>/<uid>/support")
@login_required
@limit_posts
def support(round_id: int, version_id: int, uid: str):
    return _support_action(round_id, version_id, uid, retract=False)


@bp.post("/rounds/<int:round_id>/items/<int:version_id>/<uid>/unsupport")
@login_required
@limit_posts
def unsupport(round_id: int, version_id: int, uid: str):
    return _support_action(round_id, version_id, uid, retract=True)


# Proposed needs ------------------------------------------------------------------------------------


def _needs_version_or_404(round_: ConsultationRound):
    version = queries.needs_version(round_)
    if version is None:
        abort(404)
    return version


@bp.route("/rounds/<int:round_id>/proposed-needs/new", methods=["GET", "POST"])
@login_required
@limit_posts
def propose_need(round_id: int):
    round_ = _round_or_404(round_id)
    version = _needs_version_or_404(round_)
    _require_taking_part("proposed_needs.propose", round_)
    form = ProposedNeedForm()
    areas = queries.project_areas(round_.project)
    form.area_id.choices = grouped_choices(areas, empty=_("No particular area"))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("participation/comments/propose_need.html", round=round_, version=version,
                               form=form), status
    try:
        proposed = services.propose_need(round_, version, _user(), title=form.title.data,
                                         description=form.description.data,
                                         area=db.session.get(TerritoryNode, form.area_id.data)
                                         if form.area_id.data else None)
    except ParticipationError as error:
        flash(error.message, "error")
        return render_template("participation/comments/propose_need.html", round=round_, version=version,
                               form=form), 422
    db.session.commit()
    flash(_("Thank you: your proposed need was published. The planners will answer it."), "success")
    return redirect(url_for("participation.proposed_need", proposed_need_id=proposed.id))


@bp.get("/rounds/<int:round_id>/proposed-needs")
def proposed_needs(round_id: int):
    round_ = _round_or_404(round_id)
    version = _needs_version_or_404(round_)
    page = queries.proposed_needs_page(round_)
    return render_template("participation/comments/proposed_needs.html", round=round_, version=version,
                           page=page, why_not=why_not(round_),
                           answers=queries.answers_to(InputKind.proposed_need, [p.id for p in page.items]))


def _proposed_or_404(proposed_need_id: int) -> ProposedNeed:
    proposed = db.get_or_404(ProposedNeed, proposed_need_id)
    if not policies.round_visible(current_user, proposed.round):
        abort(404)
    return proposed


def _proposed_page(proposed: ProposedNeed, form: AcceptProposedNeedForm | None = None, status: int = 200):
    project = proposed.round.project
    published = (queries.published_need(project, proposed.accepted_need_uid, proposed.version)
                 if proposed.accepted_need_uid else None)
    deciding = permissions.can(current_user, "proposed_needs.decide", proposed)
    return render_template(
        "participation/comments/proposed_need.html", proposed=proposed, round=proposed.round, project=project,
        published=published, deciding=deciding, step_editable=project.step(1).editable,
        accept_form=form or AcceptProposedNeedForm(formdata=None), button_form=EmptyForm(),
        answer=queries.answers_to(InputKind.proposed_need, [proposed.id]).get(proposed.id)), status


@bp.get("/proposed-needs/<int:proposed_need_id>")
def proposed_need(proposed_need_id: int):
    return _proposed_page(_proposed_or_404(proposed_need_id))


@bp.post("/proposed-needs/<int:proposed_need_id>/accept")
@login_required
@limit_posts
def accept_proposed_need(proposed_need_id: int):
    proposed = _proposed_or_404(proposed_need_id)
    if not permissions.can(current_user, "proposed_needs.decide", proposed):
        deny(_("Only the planners of the establishment decide on proposed needs."))
    form = AcceptProposedNeedForm()
    if not form.validate_on_submit():
        return _proposed_page(proposed, form, 422)
    try:
        services.accept_proposed_need(proposed, _user(), determinant=form.determinant.data,
                                      priority=form.priority.data)
    except ParticipationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _proposed_page(db.session.get(ProposedNeed, proposed_need_id), form, 422)
    db.session.commit()
    flash(_("The need was added to the working copy of the needs portrait. Its next version will carry it, "
            "and this page links to it."), "success")
    return redirect(url_for("participation.proposed_need", proposed_need_id=proposed.id))


@bp.post("/proposed-needs/<int:proposed_need_id>/decline")
@login_required
@limit_posts
def decline_proposed_need(proposed_need_id: int):
    proposed = _proposed_or_404(proposed_need_id)
    if not permissions.can(current_user, "proposed_needs.decide", proposed):
        deny(_("Only the planners of the establishment decide on proposed needs."))
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("participation.proposed_need", proposed_need_id=proposed.id))
    try:
        services.decline_proposed_need(proposed, _user())
    except ParticipationError as error:
        flash(error.message, "error")
        return _proposed_page(proposed, status=422)
    db.session.commit()
    flash(_("The proposed need was marked as not added. Give the reason in your answer to it."), "success")
    return redirect(url_for("participation.proposed_need", proposed_need_id=proposed.id))


# The consented participant profile -----------------------------------------------------------------


@bp.route("/account/participation-profile", methods=["GET", "POST"])
@login_required
@limit_posts
def profile():
    permissions.require(current_user, "participant_profile.edit")
    existing = queries.profile_of(current_user)
    if request.method == "GET" and existing is not None:
        form = ProfileForm(data={"consent": True, "age_band": existing.age_band or "",
                                 "gender": existing.gender or "", "area_id": existing.area_id,
                                 "population_group": existing.population_group or ""})
    else:
        form = ProfileForm()
    form.area_id.choices = grouped_choices(queries.local_areas(), empty=_("Not given"))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("participation/comments/profile.html", form=form, profile=existing,
                               withdraw_form=EmptyForm(), min_group=ParticipantProfile.MIN_GROUP), status
    services.save_profile(_user(), age_band=form.age_band.data, gender=form.gender.data,
                          area=db.session.get(TerritoryNode, form.area_id.data) if form.area_id.data else None,
                          population_group=form.population_group.data)
    db.session.commit()
    flash(_("Thank you. Your answers are kept and used only in aggregate counts; you can change or withdraw "
            "them at any time."), "success")
    return redirect(url_for("participation.profile"))


@bp.post("/account/participation-profile/withdraw")
@login_required
@limit_posts
def withdraw_profile():
    permissions.require(current_user, "participant_profile.edit")
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("participation.profile"))
    removed = services.withdraw_profile(_user())
    db.session.commit()
    flash(_("Your consent was withdrawn and your answers were deleted.") if removed
          else _("You had given no answers: nothing is kept."), "success")
    return redirect(url_for("participation.profile"))

