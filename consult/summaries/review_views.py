"""Pages of the theme review: the round's themes by state, and the planners' actions on them.

Planners of the establishment that runs the round change themes ("summaries.manage"); administrators read the
page ("summaries.oversee") and change nothing. A theme of another round is a 404; a theme that a new
compilation replaced meanwhile, or that a colleague merged or set aside, gives a message and the page again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.forms import EmptyForm
from consult.core import permissions
from consult.core.db import db
from consult.core.errors import acting_user, deny
from consult.core.pagination import paginate
from consult.rounds.models import ConsultationRound
from consult.summaries import review
from consult.summaries.blueprint import bp
from consult.summaries.content import source_url
from consult.summaries.models import THEME_STATE_LABELS, Theme, ThemeQuote, ThemeState
from consult.summaries.review_forms import (
    KeepQuoteForm,
    MergeForm,
    NewThemeForm,
    SplitForm,
    ThemeForm,
    example_lines,
)

THEMES_PER_PAGE = 50
STATE_ORDER = (ThemeState.proposed, ThemeState.approved, ThemeState.discarded, ThemeState.merged)


# Loading and authorizing -----------------------------------------------------------------------------


def _round(round_id: int, *, manage: bool = False) -> ConsultationRound:
    """The round, if the current person may read its review (and change it, with `manage`)."""
    round_ = db.get_or_404(ConsultationRound, round_id)
    if not permissions.can(current_user, "rounds.view", round_):
        abort(404)  # a draft round does not exist for people who may not see it
    if not permissions.can(current_user, "summaries.oversee", round_):
        deny(_("Only the planners of the establishment that runs this consultation review its themes."))
    if manage and not permissions.can(current_user, "summaries.manage", round_):
        deny(_("Administrators can read the theme review but not change it: only the planners of the "
               "establishment that runs this consultation can."))
    return round_


def _back(round_: ConsultationRound, theme_id: int | None = None):
    page = request.form.get("page", type=int) or request.args.get("page", type=int)
    return redirect(url_for("summaries.review", round_id=round_.id, page=page if page and page > 1 else None,
                            _anchor=f"theme-{theme_id}" if theme_id else None))


def _gone(round_: ConsultationRound, message: str) -> NoReturn:
    flash(message, "warning")
    abort(_back(round_))


def _theme(round_: ConsultationRound, theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        _gone(round_, _("This theme no longer exists: a new compilation replaced the themes that were still "
                        "proposed. The list below is up to date."))
    if theme.round_id != round_.id:
        abort(404)
    return theme


def _stale(round_: ConsultationRound, error: review.ReviewError) -> NoReturn:
    db.session.rollback()
    _gone(round_, error.message)


def _has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def _render(template: str, status: int = 200, **context: Any):
    return render_template(f"summaries/review/{template}", has_endpoint=_has_endpoint, source_url=source_url,
                           state_labels=THEME_STATE_LABELS, **context), status


def _field_error(form, error: review.ReviewError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
        form._errors = None  # WTForms caches form.errors after validate(); the summary must see this one
    else:
        flash(error.message, "error")


def _active_themes(round_: ConsultationRound) -> list[Theme]:
    return list(db.session.scalars(select(Theme).where(Theme.round_id == round_.id,
                                                      Theme.state.in_(review.ACTIVE_STATES))
                                   .order_by(Theme.label, Theme.id)))


def _merge_form(round_: ConsultationRound, active: list[Theme]) -> MergeForm:
    form = MergeForm()
    form.themes.choices = [(theme.id, theme.label) for theme in active]
    form.into.choices = [("", _("Choose…"))] + [(theme.id, theme.label) for theme in active]
    return form


# The review page -----------------------------------------------------------------------------------------


def _render_review(round_: ConsultationRound, merge_form: MergeForm | None = None, status: int = 200):
    order = case(*((Theme.state == state, number) for number, state in enumerate(STATE_ORDER)),
                 else_=len(STATE_ORDER))
    page = paginate(select(Theme).where(Theme.round_id == round_.id)
                    .options(selectinload(Theme.quotes), joinedload(Theme.merged_into))
                    .order_by(order, Theme.position, Theme.id), per_page=THEMES_PER_PAGE)
    groups = [(state, [theme for theme in page.items if theme.state is state]) for state in STATE_ORDER]
    may_manage = permissions.can(current_user, "summaries.manage", round_)
    active = _active_themes(round_) if may_manage else []
    return _render("index.html", status, round=round_, page=page, groups=[g for g in groups if g[1]],
                   counts=review.review_state(round_), may_manage=may_manage, active=active,
                   merge_form=merge_form or _merge_form(round_, active), add_form=NewThemeForm(formdata=None))


@bp.get("/rounds/<int:round_id>/themes", endpoint="review")
def review_page(round_id: int):
    return _render_review(_round(round_id))


# Actions on one theme ------------------------------------------------------------------------------------


def _act(round_id: int, theme_id: int, act: Callable[[Theme, Any], Any], done: Callable[[Theme], str]):
    round_ = _round(round_id, manage=True)
    theme = _theme(round_, theme_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        act(theme, acting_user())
    except review.StaleTheme as error:
        _stale(round_, error)
    except review.ReviewError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done(theme), "success")
    return _back(round_, theme_id)


@bp.post("/rounds/<int:round_id>/themes/<int:theme_id>/approve")
def approve_theme(round_id: int, theme_id: int):
    return _act(round_id, theme_id, review.approve, lambda theme: _(
        "“%(label)s” is approved: it will be assigned to every input at the next compilation.", label=theme.label))


@bp.post("/rounds/<int:round_id>/themes/<int:theme_id>/discard")
def discard_theme(round_id: int, theme_id: int):
    return _act(round_id, theme_id, review.discard, lambda theme: _(
        "“%(label)s” is set aside: it will not be assigned, nor proposed again.", label=theme.label))


@bp.post("/rounds/<int:round_id>/themes/<int:theme_id>/restore")
def restore_theme(round_id: int, theme_id: int):
    return _act(round_id, theme_id, review.restore, lambda theme: _(
        "“%(label)s” is back among the proposed themes.", label=theme.label))


@bp.post("/rounds/<int:round_id>/themes/approve-all")
def approve_all(round_id: int):
    round_ = _round(round_id, manage=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    count = review.approve_all(round_, acting_user())
    db.session.commit()
    if count:
        flash(ngettext("%(num)d theme approved: it will be assigned to every input at the next compilation.",
                       "%(num)d themes approved: they will be assigned to every input at the next compilation.",
                       count), "success")
    else:
        flash(_("No theme was still proposed: there was nothing to approve."), "warning")
    return _back(round_)


@bp.route("/rounds/<int:round_id>/themes/<int:theme_id>/edit", methods=["GET", "POST"])
def edit_theme(round_id: int, theme_id: int):
    round_ = _round(round_id, manage=True)
    theme = _theme(round_, theme_id)
    if theme.state is ThemeState.merged:
        _gone(round_, review.stale_message(theme))
    form = ThemeForm(data={"label": theme.label, "description": theme.description})
    status = 200
    if form.validate_on_submit():
        try:
            review.rename(theme, acting_user(), form.label.data, form.description.data)
        except review.StaleTheme as error:
            _stale(round_, error)
        except review.ReviewError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            if theme.state is ThemeState.proposed:
                flash(_("“%(label)s” is saved. It is still proposed: approve it to keep it, or the next compilation "
                        "replaces it with its own proposal.", label=theme.label), "warning")
            else:
                flash(_("“%(label)s” is saved.", label=theme.label), "success")
            return _back(round_, theme.id)
        status = 422
    elif form.is_submitted():
        status = 422
    return _render("edit.html", status, round=round_, theme=theme, form=form)


@bp.route("/rounds/<int:round_id>/themes/<int:theme_id>/split", methods=["GET", "POST"])
def split_theme(round_id: int, theme_id: int):
    round_ = _round(round_id, manage=True)
    theme = _theme(round_, theme_id)
    if theme.state not in review.ACTIVE_STATES:
        _gone(round_, review.stale_message(theme))
    if len(theme.quotes) < 2:
        _gone(round_, _("“%(label)s” has fewer than two quotes: there is nothing to split. Add a theme of your "
                        "own instead.", label=theme.label))
    form = SplitForm()
    form.quotes.choices = [(quote.id, quote.text) for quote in theme.quotes]
    status = 200
    if form.validate_on_submit():
        try:
            new = review.split(theme, form.quotes.data, acting_user(), form.label.data, form.description.data)
        except review.StaleTheme as error:
            _stale(round_, error)
        except review.ReviewError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(ngettext("“%(new)s” now holds %(num)d quote taken from “%(label)s”; it is approved.",
                           "“%(new)s” now holds %(num)d quotes taken from “%(label)s”; it is approved.",
                           len(new.quotes), new=new.label, label=theme.label), "success")
            return _back(round_, new.id)
        status = 422
    elif form.is_submitted():
        status = 422
    return _render("split.html", status, round=round_, theme=theme, form=form,
                   chosen=set(form.quotes.data or []))


@bp.post("/rounds/<int:round_id>/themes/<int:theme_id>/quotes/<int:quote_id>/keep")
def keep_quote(round_id: int, theme_id: int, quote_id: int):
    round_ = _round(round_id, manage=True)
    theme = _theme(round_, theme_id)
    quote = db.session.get(ThemeQuote, quote_id)
    if quote is None:
        _gone(round_, _("This quote is no longer there: a new compilation replaced it. The list below is up to "
                        "date."))
    if quote.theme_id != theme.id:
        if quote.theme.round_id != round_.id:
            abort(404)
        _gone(round_, _("This quote now belongs to “%(label)s”, perhaps moved there by a colleague.",
                        label=quote.theme.label))
    form = KeepQuoteForm()
    if not form.validate_on_submit():
        abort(400)
    kept = form.kept.data == "1"
    try:
        review.keep_quote(quote, acting_user(), kept)
    except review.StaleTheme as error:
        _stale(round_, error)
    except review.ReviewError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        if kept:
            flash(_("The quote is kept as an example of “%(label)s”.", label=theme.label), "success")
        else:
            flash(_("The quote is no longer an example of “%(label)s”.", label=theme.label), "success")
    return _back(round_, theme.id)


# Several themes ------------------------------------------------------------------------------------------


@bp.post("/rounds/<int:round_id>/themes/merge")
def merge_themes(round_id: int):
    round_ = _round(round_id, manage=True)
    form = _merge_form(round_, _active_themes(round_))
    if form.validate_on_submit():
        ids = {*form.themes.data, form.into.data}
        found = {theme.id: theme for theme in db.session.scalars(select(Theme).where(Theme.id.in_(ids)))}
        if any(theme.round_id != round_.id for theme in found.values()):
            abort(404)
        if len(found) < len(ids):
            _gone(round_, _("One of the chosen themes no longer exists: a new compilation replaced the themes "
                            "that were still proposed. Nothing was merged; the list below is up to date."))
        into = found[form.into.data]
        try:
            review.merge(sorted(found.values(), key=lambda t: (t.position, t.id)), into, acting_user())
        except review.StaleTheme as error:
            _stale(round_, error)
        except review.ReviewError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(ngettext("%(num)d theme was merged into “%(label)s”, which is approved.",
                           "%(num)d themes were merged into “%(label)s”, which is approved.",
                           len(ids) - 1, label=into.label), "success")
            return _back(round_, into.id)
    return _render_review(round_, form, 422)


@bp.route("/rounds/<int:round_id>/themes/new", methods=["GET", "POST"])
def new_theme(round_id: int):
    round_ = _round(round_id, manage=True)
    form = NewThemeForm()
    status = 200
    if form.validate_on_submit():
        try:
            theme = review.add(round_, acting_user(), form.label.data, form.description.data,
                               example_lines(form.examples.data))
        except review.ReviewError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("“%(label)s” is added and approved: it will be assigned to every input at the next "
                    "compilation.", label=theme.label), "success")
            return redirect(url_for("summaries.review", round_id=round_.id, _anchor=f"theme-{theme.id}"))
        status = 422
    elif form.is_submitted():
        status = 422
    return _render("new.html", status, round=round_, form=form)
