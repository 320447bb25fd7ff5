"""Pages of briefs: starting a draft, the brief page (the editor for its representatives), positions,
attachments and their download, co-signatures, submitting and withdrawing, a round's briefs and one
person's briefs."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, current_app, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import ClientDisconnected
from wtforms.fields.choices import SelectChoice

from consult.accounts.forms import EmptyForm
from consult.core import permissions
from consult.core.db import db
from consult.core.errors import acting_user as _user
from consult.core.errors import deny, render_error
from consult.core.ratelimits import limit_posts
from consult.core.timefmt import datetime_filter
from consult.i18n.locale import current_lang
from consult.organizations.models import Organization
from consult.participation.blueprint import bp
from consult.participation.briefs import policies, queries, services
from consult.participation.briefs.forms import (
    AttachmentForm,
    BriefForm,
    CosignAnswerForm,
    CosignerForm,
    CosignerSearchForm,
    NewBriefForm,
    PositionForm,
)
from consult.participation.briefs.services import BriefError
from consult.participation.models import (
    Brief,
    BriefAttachment,
    BriefCosigner,
    BriefPosition,
    BriefState,
    BriefVisibility,
    CosignState,
    Stance,
)
from consult.projects.kinds import KINDS
from consult.rounds.models import ConsultationRound
from consult.storage import NotFound, StorageError, get_storage


def _round_or_404(round_id: int) -> ConsultationRound:
    round_ = db.get_or_404(ConsultationRound, round_id)
    if not permissions.can(current_user, "briefs.round", round_):
        abort(404)  # a round in preparation does not exist for the public
    return round_


def _why_hidden(brief: Brief) -> str:
    """Why this reader may not open the brief, in words."""
    if brief.state is BriefState.draft:
        return _("This brief is a draft of %(name)s: only its members and the organizations asked to co-sign "
                 "it can read it.", name=brief.organization.name)
    if brief.state is BriefState.withdrawn:
        return _("This brief was withdrawn by %(name)s. It is kept for the establishment's records and no "
                 "longer shown.", name=brief.organization.name)
    if brief.visibility is BriefVisibility.confidential:
        return _("%(name)s chose to keep this brief confidential to the establishment.",
                 name=brief.organization.name)
    return _("Briefs stay with the establishment until the round closes on %(closes)s (Montréal time). After "
             "that, the briefs their organizations chose to make public are shown to everyone.",
             closes=datetime_filter(brief.round.closes_at))


def _brief_or_404(brief_id: int, action: str = "brief.view") -> Brief:
    brief = db.get_or_404(Brief, brief_id)
    if not permissions.can(current_user, action, brief):
        if action == "brief.read" and permissions.can(current_user, "brief.view", brief):
            deny(_("This brief was hidden by moderation: %(reason)s", reason=brief.hidden_reason or ""))
        deny(_why_hidden(brief))
    return brief


def _editable_or_deny(brief: Brief) -> None:
    if permissions.can(current_user, "brief.edit", brief):
        return
    if brief.state is not BriefState.draft:
        deny(_("This brief was submitted and can no longer be changed. While the round is open, its "
               "representatives may withdraw it."))
    deny(_("Only the representatives of %(name)s can change this draft.", name=brief.organization.name))


def _part_or_404(model, part_id: int, brief: Brief):
    """A position, attachment or co-signer of `brief`; 404 when it belongs to another brief."""
    part = db.get_or_404(model, part_id)
    if part.brief_id != brief.id:
        abort(404)
    return part


def _to(brief: Brief, anchor: str = ""):
    return redirect(url_for("participation.brief", brief_id=brief.id) + (f"#{anchor}" if anchor else ""))


def _item_choices(round_: ConsultationRound) -> list[SelectChoice]:
    versions = queries.versions_of(round_)
    choices = [SelectChoice("", _("Choose an item"))]
    for item in queries.items_in_consultation(round_):
        version = versions[item.version_id]
        group = _("%(step)s — version %(number)d", step=version.step.title, number=version.number)
        label = f"{KINDS[item.kind].label}: {KINDS[item.kind].label_of(item.data)}"
        choices.append(SelectChoice(f"{item.version_id}:{item.uid}", label, optgroup=group))
    return choices


def _text_form(brief: Brief) -> BriefForm:
    return BriefForm(formdata=None, data={"title": brief.title, "summary": brief.summary, "body": brief.body,
                                          "visibility": brief.visibility, "lock_version": brief.lock_version})


def _attachment_form(form: AttachmentForm | None = None) -> AttachmentForm:
    form = form or AttachmentForm(formdata=None)
    limit = get_storage().max_bytes
    form.file.description = _("PDF, DOCX or ODT, up to %(mb)s MB. One document at a time; the type is checked "
                              "from the content, and the name's extension must match it.",
                              mb=f"{limit / 1024 / 1024:g}" if limit % (1024 * 1024) == 0
                              else f"{limit / 1024 / 1024:.1f}")
    return form


def _page(brief: Brief, *, status: int = 200, text_form: BriefForm | None = None,
          position_form: PositionForm | None = None, attachment_form: AttachmentForm | None = None,
          problem: str | None = None):
    """The brief page: read-only for readers, the editor for the organization's representatives."""
    user = current_user
    editable = permissions.can(user, "brief.edit", brief)
    context: dict[str, Any] = {
        "brief": brief, "round": brief.round, "editable": editable, "problem": problem,
        "can_read": permissions.can(user, "brief.read", brief),
        "is_staff": policies.is_staff(user, brief), "is_planner": policies.is_planner(user, brief),
        "represents": policies.represents(user, brief.organization),
        "items": queries.items_of(brief), "versions": queries.versions_of(brief.round),
        "kinds": KINDS, "lang": current_lang(), "empty": EmptyForm(),
        "answerable": [c for c in policies.cosigner_rows_of(user, brief)
                       if permissions.can(user, "brief.cosign", c)],
        "timing": services.timing_message(brief.round), "max_attachments":
            current_app.config["CONSULT_BRIEF_MAX_ATTACHMENTS"],
        "BriefState": BriefState, "CosignState": CosignState, "Stance": Stance,
    }
    if editable:
        search = CosignerSearchForm(request.args)
        search.validate()
        position_form = position_form or PositionForm(formdata=None)
        position_form.item.choices = _item_choices(brief.round)
        context.update(
            text_form=text_form or _text_form(brief), position_form=position_form,
            attachment_form=_attachment_form(attachment_form), search=search,
            suggestions=queries.cosigner_suggestions(brief),
            found=queries.search_organizations(brief, search.find.data) if not search.find.errors else [],
        )
    return render_template("participation/briefs/brief.html", **context), status


# Starting a draft -----------------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/briefs/new", methods=["GET", "POST"])
@limit_posts
def new_brief(round_id: int):
    round_ = _round_or_404(round_id)
    if not current_user.is_authenticated:
        abort(401)
    user = _user()
    if not permissions.can(user, "brief.start", round_):
        if not round_.welcomes_organizations():
            deny(_("This round takes input from citizens; it does not take briefs from organizations."))
        if not policies.represents_any(user):
            deny(_("Only the representatives of an organization can write a brief. Ask your organization to "
                   "name you one of its representatives, or register your organization."))
        deny(services.timing_message(round_) or _("This round does not take briefs right now."))
    organizations = queries.represented_by(user)
    form = NewBriefForm()
    form.organization_id.choices = [SelectChoice(o.id, o.name) for o in organizations]
    if not form.is_submitted():
        form.form_token.data = secrets.token_urlsafe(32)
        if len(organizations) == 1:
            form.organization_id.data = organizations[0].id
        return render_template("participation/briefs/new.html", form=form, round=round_,
                               organizations=organizations)
    token = form.form_token.data or ""
    existing = queries.brief_by_token(token) if token else None
    if existing is not None:
        if permissions.can(user, "brief.view", existing):
            return _to(existing)  # the same form sent twice: the draft made the first time
        form.form_token.data = secrets.token_urlsafe(32)
    elif form.validate():
        organization = next(o for o in organizations if o.id == form.organization_id.data)
        try:
            brief = services.start_brief(round_, organization, user, title=form.title.data, form_token=token)
            db.session.commit()
        except IntegrityError:  # the other click of a double click won the race: use its draft
            db.session.rollback()
            existing = queries.brief_by_token(token)
            if existing is not None and permissions.can(user, "brief.view", existing):
                return _to(existing)
            form.form_token.data = secrets.token_urlsafe(32)
            flash(_("The draft could not be started. Please send the form again."), "error")
        except BriefError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("The draft is started. Write it at your own pace: it stays private to %(name)s until you "
                    "submit it.", name=organization.name), "success")
            return _to(brief)
    elif form.form_token.errors:
        form.form_token.data = secrets.token_urlsafe(32)
    return render_template("participation/briefs/new.html", form=form, round=round_,
                           organizations=organizations), 422


# The brief page and its text ------------------------------------------------------------------------


@bp.route("/briefs/<int:brief_id>", methods=["GET", "POST"])
@limit_posts
def brief(brief_id: int):
    found = _brief_or_404(brief_id)
    if request.method != "POST":
        return _page(found)
    _editable_or_deny(found)
    form = BriefForm()
    if form.validate_on_submit():
        if form.lock_version.data is not None and form.lock_version.data != found.lock_version:
            return _page(found, status=422, text_form=form, problem=_(
                "Someone else changed this draft since you opened it. Your text is below and was not saved: "
                "copy what you need, reload the page to see their changes, then save again."))
        try:
            services.save_text(found, title=form.title.data, summary=form.summary.data, body=form.body.data,
                               visibility=form.visibility.data)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            return _page(found, status=422, text_form=form, problem=_(
                "Someone else changed this draft at the same moment. Your text is below and was not saved: "
                "reload the page to see their changes, then save again."))
        flash(_("The draft is saved."), "success")
        return _to(found, "edit")
    return _page(found, status=422, text_form=form)


# Positions ------------------------------------------------------------------------------------------


@bp.post("/briefs/<int:brief_id>/positions")
@limit_posts
def brief_position(brief_id: int):
    found = _brief_or_404(brief_id)
    _editable_or_deny(found)
    form = PositionForm()
    form.item.choices = _item_choices(found.round)
    if form.validate_on_submit():
        key = form.item_key()
        item = queries.item_in_consultation(found.round, *key) if key else None
        if item is None:
            form.item.errors = [*form.item.errors, _("Choose an item of this round.")]
        else:
            try:
                created = services.set_position(found, item, form.stance.data, form.text.data)
                db.session.commit()
            except BriefError as error:
                db.session.rollback()
                getattr(form, error.field or "item").errors.append(error.message)
            except IntegrityError:
                db.session.rollback()
                form.item.errors = [*form.item.errors, _("This position was being saved at the same moment. "
                                                         "Please check the list and try again.")]
            else:
                title = KINDS[item.kind].label_of(item.data)
                flash(_("Your position on “%(item)s” is recorded.", item=title) if created else
                      _("Your position on “%(item)s” is updated.", item=title), "success")
                return _to(found, "positions")
    return _page(found, status=422, position_form=form)


@bp.post("/briefs/<int:brief_id>/positions/<int:position_id>/remove")
@limit_posts
def remove_position(brief_id: int, position_id: int):
    found = _brief_or_404(brief_id)
    _editable_or_deny(found)
    position = _part_or_404(BriefPosition, position_id, found)
    if EmptyForm().validate_on_submit():
        services.remove_position(found, position)
        db.session.commit()
        flash(_("The position is removed."), "success")
    return _to(found, "positions")


# Attachments ----------------------------------------------------------------------------------------


@bp.post("/briefs/<int:brief_id>/attachments")
@limit_posts
def upload_attachment(brief_id: int):
    found = _brief_or_404(brief_id)
    _editable_or_deny(found)
    try:
        form = AttachmentForm()
        valid = form.validate_on_submit()
    except ClientDisconnected:
        return _interrupted()
    if valid:
        try:
            attachment = services.add_attachment(found, form.file.data)
            db.session.commit()
        except BriefError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, error.message]
        else:
            flash(_("“%(name)s” is attached.", name=attachment.filename), "success")
            return _to(found, "attachments")
    return _page(found, status=422, attachment_form=form)


def _interrupted():
    return render_error(400, _("The upload was interrupted before the whole file arrived, so nothing of it was "
                               "kept. Your draft and its other attachments are safe: go back to the brief "
                               "and attach the document again."))


@bp.errorhandler(ClientDisconnected)
def _cut_off(_exc: ClientDisconnected):
    # Raised while reading the body (by the CSRF check or the form), before any view code runs.
    db.session.rollback()
    if request.endpoint == "participation.upload_attachment":
        return _interrupted()
    return render_error(400)


@bp.get("/briefs/<int:brief_id>/attachments/<int:attachment_id>")
def attachment(brief_id: int, attachment_id: int):
    found = _brief_or_404(brief_id, "brief.read")
    item = _part_or_404(BriefAttachment, attachment_id, found)
    try:
        handle = get_storage().open(item.storage_key)
    except NotFound:
        abort(make_response(render_error(404, _("This file is no longer available."))))
    except StorageError as failure:
        abort(make_response(render_error(503, str(failure.message))))
    response = send_file(handle, mimetype=item.media_type, as_attachment=True, download_name=item.filename,
                         etag=item.storage_key, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"  # confidential briefs: never in a shared cache
    return response


@bp.post("/briefs/<int:brief_id>/attachments/<int:attachment_id>/remove")
@limit_posts
def remove_attachment(brief_id: int, attachment_id: int):
    found = _brief_or_404(brief_id)
    _editable_or_deny(found)
    item = _part_or_404(BriefAttachment, attachment_id, found)
    if EmptyForm().validate_on_submit():
        name = item.filename
        services.remove_attachment(found, item)
        db.session.commit()
        flash(_("“%(name)s” is removed from the draft.", name=name), "success")
    return _to(found, "attachments")


# Co-signers -----------------------------------------------------------------------------------------


@bp.post("/briefs/<int:brief_id>/cosigners")
@limit_posts
def request_cosigner(brief_id: int):
    found = _brief_or_404(brief_id)
    _editable_or_deny(found)
    form = CosignerForm()
    organization = db.session.get(Organization, form.organization_id.data) \
        if form.validate_on_submit() else None
    if organization is None:
        return _page(found, status=422, problem=_("Choose an organization of the registry to ask."))
    try:
        services.request_cosigner(found, organization, _user())
        db.session.commit()
    except BriefError as error:
        db.session.rollback()
        return _page(found, status=422, problem=error.message)
    except IntegrityError:
        db.session.rollback()
        return _page(found, status=422, problem=_("%(name)s was already asked to co-sign.",
                                                  name=organization.name))
    if organization.representatives():
        flash(_("%(name)s is asked to co-sign; its representatives were told.", name=organization.name),
              "success")
    else:
        flash(_("%(name)s is asked to co-sign, but it has no representative on the platform yet: nobody could "
                "be told. The request waits for one.", name=organization.name), "warning")
    return _to(found, "cosigners")


@bp.post("/briefs/<int:brief_id>/cosigners/<int:cosigner_id>/remove")
@limit_posts
def remove_cosigner(brief_id: int, cosigner_id: int):
    found = _brief_or_404(brief_id)
    _editable_or_deny(found)
    cosigner = _part_or_404(BriefCosigner, cosigner_id, found)
    if EmptyForm().validate_on_submit():
        name = cosigner.organization.name
        services.cancel_cosigner(found, cosigner)
        db.session.commit()
        flash(_("%(name)s is no longer asked to co-sign.", name=name), "success")
    return _to(found, "cosigners")


@bp.post("/briefs/<int:brief_id>/cosign")
@limit_posts
def cosign(brief_id: int):
    found = _brief_or_404(brief_id)
    rows = policies.cosigner_rows_of(current_user, found)
    if not rows:
        deny(_("Only the representatives of an organization asked to co-sign this brief can answer."))
    form = CosignAnswerForm()
    if not form.validate_on_submit():
        return _page(found, status=422, problem=_("Choose to confirm or decline."))
    cosigner = next((c for c in rows if c.id == form.cosigner_id.data), None)
    if cosigner is None:
        abort(404)
    permissions.require(current_user, "brief.cosign", cosigner)
    confirm = form.answer.data == "confirm"
    try:
        services.answer_cosign(cosigner, _user(), confirm=confirm)
        db.session.commit()
    except BriefError as error:
        db.session.rollback()
        return _page(found, status=422, problem=error.message)
    if confirm:
        flash(_("%(name)s co-signs this brief.", name=cosigner.organization.name), "success")
    else:
        flash(_("%(name)s declined to co-sign this brief.", name=cosigner.organization.name), "success")
    return _to(found, "cosigners")


# Submitting and withdrawing -------------------------------------------------------------------------


@bp.post("/briefs/<int:brief_id>/submit")
@limit_posts
def submit_brief(brief_id: int):
    found = _brief_or_404(brief_id)
    if not permissions.can(current_user, "brief.submit", found):
        deny(_("Only the representatives of %(name)s can submit this brief.", name=found.organization.name))
    if not EmptyForm().validate_on_submit():
        return _page(found, status=422, problem=_("The form expired. Please reload the page and send it again."))
    user = _user()
    try:
        submitted = services.submit(found, user)
        db.session.commit()
    except BriefError as error:  # LateSubmission included: the draft is kept as it is
        db.session.rollback()
        return _page(found, status=422, problem=error.message)
    if submitted:
        flash(_("The brief is submitted. A receipt with the time and the content's digest was sent to "
                "%(email)s.", email=user.email), "success")
    else:
        flash(_("This brief was already submitted on %(when)s.", when=datetime_filter(found.submitted_at)),
              "success")
    return _to(found)


@bp.post("/briefs/<int:brief_id>/withdraw")
@limit_posts
def withdraw_brief(brief_id: int):
    found = db.get_or_404(Brief, brief_id)
    if not permissions.can(current_user, "brief.withdraw", found):
        deny(_("Only the representatives of %(name)s can withdraw this brief.", name=found.organization.name))
    if not EmptyForm().validate_on_submit():
        return _page(found, status=422, problem=_("The form expired. Please reload the page and send it again."))
    try:
        services.withdraw(found, _user())
        db.session.commit()
    except BriefError as error:
        db.session.rollback()
        return _page(found, status=422, problem=error.message)
    flash(_("The brief is withdrawn. The establishment keeps it for its records, marked as withdrawn; nobody "
            "else sees it."), "success")
    return redirect(url_for("participation.my_briefs"))


# Lists ----------------------------------------------------------------------------------------------


@bp.get("/rounds/<int:round_id>/briefs")
def round_briefs(round_id: int):
    round_ = _round_or_404(round_id)
    everything = permissions.can(current_user, "briefs.all", round_)
    planner = policies.staff_of(current_user, round_, "planner")
    page = queries.round_briefs(round_, everything=everything, planner=planner)
    return render_template("participation/briefs/round_briefs.html", round=round_, page=page,
                           everything=everything, planner=planner,
                           counts=queries.round_counts(round_) if everything else None,
                           can_start=permissions.can(current_user, "brief.start", round_),
                           BriefState=BriefState)


@bp.get("/briefs/mine")
@login_required
def my_briefs():
    user = _user()
    waiting, waiting_total = queries.waiting_cosign_requests(user)
    return render_template("participation/briefs/mine.html", page=queries.my_briefs(user), waiting=waiting,
                           waiting_total=waiting_total, represents_any=policies.represents_any(user),
                           BriefState=BriefState)
