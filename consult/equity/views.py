"""Pages of the equity lens: tagging one input (its author or the round's planners), the planners' review of
a round's suggested tags, the lens of a round (representativeness, participation dashboard, inputs by
dimension) with its chart downloads, an establishment's taxonomy, and a project's population rule."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import case, func, select

from consult.core import permissions
from consult.core.db import db
from consult.core.pagination import paginate
from consult.core.ratelimits import limit_posts
from consult.equity import charts, dashboard, services, taxonomy
from consult.equity.blueprint import bp
from consult.equity.forms import DecisionForm, LocalTagForm, RetireForm, SettingsForm, TagForm
from consult.equity.models import InputTag, LocalTag, TagState, Target
from consult.participation.answers import queries as inputs
from consult.participation.models import InputKind
from consult.projects.models import ClinicalProject
from consult.rounds.models import ConsultationRound
from consult.territories.models import Establishment

# ------------------------------------------------------------------------------------------- one input


def input_url(target: Target) -> str:
    """The page where the input is read."""
    if target.kind is InputKind.brief:
        return url_for("participation.brief", brief_id=target.id)
    if target.kind is InputKind.comment:
        comment = target.obj
        return url_for("participation.item", round_id=comment.round_id, version_id=comment.version_id,
                       uid=comment.item_uid) + f"#comment-{comment.id}"
    return url_for("participation.proposed_need", proposed_need_id=target.id)


def tag_url(target: Target) -> str:
    endpoint = {InputKind.brief: ("equity.brief_tags", "brief_id"),
                InputKind.comment: ("equity.comment_tags", "comment_id"),
                InputKind.proposed_need: ("equity.proposed_need_tags", "proposed_need_id")}[target.kind]
    return url_for(endpoint[0], **{endpoint[1]: target.id})


def may_tag(obj: Any) -> bool:
    """For templates: may the current person tag this brief, comment or proposed need?"""
    return permissions.can(current_user, "equity.tag", Target.of(obj))


def tag_url_of(obj: Any) -> str:
    """For templates: the tagging page of this brief, comment or proposed need."""
    return tag_url(Target.of(obj))


def _render_tags(target: Target, tag_form: TagForm, decision_form: DecisionForm | None = None,
                 problem: str | None = None, status: int = 200):
    rows = services.tags_of(target)
    infos = taxonomy.resolve_many({row.tag for row in rows})
    return render_template("equity/tags.html", target=target, shown=inputs.load_input(target.kind, target.obj),
                           rows=rows, infos=infos, tag_form=tag_form, decision_form=decision_form or DecisionForm(),
                           problem=problem, back=input_url(target), action=tag_url(target),
                           kind_label=inputs.KIND_LABELS[target.kind]), status


def _tags(kind: InputKind, input_id: int):
    target = services.load_target(kind, input_id)
    if target is None:
        abort(404)
    permissions.require(current_user, "equity.tag", target)
    tag_form = TagForm(prefix="add")
    tag_form.offer(taxonomy.available(target.round.establishment_id))
    if request.method == "GET":
        return _render_tags(target, tag_form)
    if "decision" in request.form:
        decision_form = DecisionForm()
        row = services.tag_of_input(target, decision_form.tag_id.data) if decision_form.validate_on_submit() \
            else None
        if row is None:
            return _render_tags(target, tag_form, decision_form, _("This tag could not be found on this input."),
                                422)
        try:
            services.decide(row, decision_form.decision.data, current_user, decision_form.justification.data)
        except services.TaggingError as error:
            return _render_tags(target, tag_form, decision_form, error.message, 422)
        db.session.commit()
        label = taxonomy.resolve(row.tag).display
        flash(_("Tag confirmed: %(tag)s.", tag=label) if row.is_confirmed else _("Tag rejected: %(tag)s.", tag=label))
        return redirect(tag_url(target))
    if not tag_form.validate_on_submit():
        return _render_tags(target, tag_form, status=422)
    try:
        row = services.add_tag(target, tag_form.tag.data, tag_form.justification.data, current_user)
    except services.TaggingError as error:
        return _render_tags(target, tag_form, problem=error.message, status=422)
    db.session.commit()
    flash(_("Tag added: %(tag)s.", tag=taxonomy.resolve(row.tag).display))
    return redirect(tag_url(target))


@bp.route("/equity/briefs/<int:brief_id>/tags", methods=["GET", "POST"])
@login_required
@limit_posts
def brief_tags(brief_id: int):
    return _tags(InputKind.brief, brief_id)


@bp.route("/equity/comments/<int:comment_id>/tags", methods=["GET", "POST"])
@login_required
@limit_posts
def comment_tags(comment_id: int):
    return _tags(InputKind.comment, comment_id)


@bp.route("/equity/proposed-needs/<int:proposed_need_id>/tags", methods=["GET", "POST"])
@login_required
@limit_posts
def proposed_need_tags(proposed_need_id: int):
    return _tags(InputKind.proposed_need, proposed_need_id)


# ------------------------------------------------------------------------------------ review of a round


class _RowPagination(SelectPagination):
    """SelectPagination hands back only the first column of each row; this list needs (kind, id) pairs."""

    def _query_items(self) -> list[Any]:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())


def _suggested_page(round_: ConsultationRound, number: int) -> SelectPagination:
    """One page of the inputs that have suggestions: briefs, then comments, then proposed needs, oldest first."""
    kind_order = case((InputTag.input_kind == InputKind.brief, 0), (InputTag.input_kind == InputKind.comment, 1),
                      else_=2)
    stmt = (select(InputTag.input_kind, InputTag.input_id)
            .where(InputTag.round_id == round_.id, InputTag.state == TagState.suggested)
            .group_by(InputTag.input_kind, InputTag.input_id)
            .order_by(kind_order, InputTag.input_id))
    from flask import current_app

    per_page = current_app.config["CONSULT_PAGE_SIZE"]
    return _RowPagination(select=stmt, session=db.session(), page=max(number, 1), per_page=per_page,
                          error_out=False)


def _render_review(round_: ConsultationRound, page_number: int, form: DecisionForm | None = None,
                   status: int = 200):
    page = _suggested_page(round_, page_number)
    if page_number > 1 and not page.items and page.pages:
        return redirect(url_for("equity.review", round_id=round_.id, page=page.pages))
    shown = inputs.load_inputs([(kind, input_id, None) for kind, input_id in page.items])
    rows: dict[tuple[InputKind, int], list[InputTag]] = {}
    if shown:
        keys = {(i.kind, i.id) for i in shown}
        for row in db.session.scalars(select(InputTag).where(
                InputTag.round_id == round_.id, InputTag.input_id.in_([i.id for i in shown]),
                InputTag.state != TagState.rejected).order_by(InputTag.state, InputTag.score.desc(), InputTag.tag)):
            if (row.input_kind, row.input_id) in keys:
                rows.setdefault((row.input_kind, row.input_id), []).append(row)
    infos = taxonomy.resolve_many({row.tag for found in rows.values() for row in found})
    pending = db.session.scalar(select(func.count()).select_from(InputTag).where(
        InputTag.round_id == round_.id, InputTag.state == TagState.suggested)) or 0
    return render_template("equity/review.html", round=round_, page=page, shown=shown, rows=rows, infos=infos,
                           form=form or DecisionForm(), pending=pending,
                           may_review=permissions.can(current_user, "equity.review", round_),
                           tag_url=lambda i: tag_url(Target(i.kind, i.obj))), status


@bp.route("/rounds/<int:round_id>/equity/suggestions", methods=["GET", "POST"])
@login_required
@limit_posts
def review(round_id: int):
    round_ = db.get_or_404(ConsultationRound, round_id)
    permissions.require(current_user, "equity.oversee", round_)
    page_number = request.args.get("page", 1, type=int) or 1
    if request.method == "GET":
        return _render_review(round_, page_number)
    permissions.require(current_user, "equity.review", round_)
    form = DecisionForm()
    row = db.session.get(InputTag, form.tag_id.data) if form.validate_on_submit() else None
    if row is None or row.round_id != round_.id:
        flash(_("This tag could not be found in this round."), "error")
        return _render_review(round_, page_number, form, 422)
    services.decide(row, form.decision.data, current_user, form.justification.data)
    db.session.commit()
    label = taxonomy.resolve(row.tag).display
    flash(_("Tag confirmed: %(tag)s.", tag=label) if row.is_confirmed else _("Tag rejected: %(tag)s.", tag=label))
    return redirect(url_for("equity.review", round_id=round_.id, page=page_number))


# ------------------------------------------------------------------------------------------- the lens


def _overseen(round_id: int) -> ConsultationRound:
    round_ = db.get_or_404(ConsultationRound, round_id)
    permissions.require(current_user, "equity.oversee", round_)
    return round_


@bp.get("/rounds/<int:round_id>/equity")
@login_required
def lens(round_id: int):
    round_ = _overseen(round_id)
    built = charts.build_all(round_)
    return render_template("equity/lens.html", round=round_, lens=built, report=built.report,
                           charts=built.charts, svg=charts.svg, states=dashboard.invitation_states(),
                           steps=dashboard.step_titles(), status_labels=dashboard.STATUS_LABELS,
                           section=built.section, entry_label=charts.entry_label, count_text=charts.count_text,
                           percent=charts.percent, number=charts.number,
                           may_review=permissions.can(current_user, "equity.review", round_),
                           may_settle=permissions.can(current_user, "equity.settings", round_.project))


def _chart(round_id: int, chart: str) -> tuple[ConsultationRound, charts.Chart]:
    round_ = _overseen(round_id)
    built = charts.build(round_, chart)
    if built is None:
        abort(404)
    return round_, built


@bp.get("/rounds/<int:round_id>/equity/charts/<chart>.csv")
@login_required
def chart_csv(round_id: int, chart: str):
    round_, built = _chart(round_id, chart)
    return Response(charts.csv_text(built), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="equity-{round_.id}-{built.key}.csv"'})


@bp.get("/rounds/<int:round_id>/equity/charts/<chart>.svg")
@login_required
def chart_svg(round_id: int, chart: str):
    round_, built = _chart(round_id, chart)
    return Response(str(charts.svg(built, standalone=True)), mimetype="image/svg+xml",
                    headers={"Content-Disposition": f'attachment; filename="equity-{round_.id}-{built.key}.svg"'})


# ------------------------------------------------------------------------------------------ taxonomy


def _render_taxonomy(establishment: Establishment, form: LocalTagForm | None = None,
                     problem: str | None = None, status: int = 200):
    page = paginate(select(LocalTag).where(LocalTag.establishment_id == establishment.id)
                    .order_by(LocalTag.retired_at.is_not(None), LocalTag.group, LocalTag.list_name,
                              LocalTag.label_fr, LocalTag.id))
    groups = [(group, taxonomy.GROUP_LABELS[group], [t for t in taxonomy.BUILTIN_TAGS if t.group == group])
              for group in taxonomy.GROUPS if group != "local"]
    return render_template("equity/taxonomy.html", establishment=establishment, page=page, groups=groups,
                           form=form or LocalTagForm(), retire_form=RetireForm(), problem=problem,
                           local_group_labels=taxonomy.LOCAL_GROUP_LABELS,
                           may_manage=permissions.can(current_user, "equity.taxonomy.manage", establishment)), status


@bp.route("/establishments/<int:establishment_id>/equity/tags", methods=["GET", "POST"])
@login_required
@limit_posts
def taxonomy_page(establishment_id: int):
    establishment = db.get_or_404(Establishment, establishment_id)
    permissions.require(current_user, "equity.taxonomy.view", establishment)
    if request.method == "GET":
        return _render_taxonomy(establishment)
    permissions.require(current_user, "equity.taxonomy.manage", establishment)
    form = LocalTagForm()
    if not form.validate_on_submit():
        return _render_taxonomy(establishment, form, status=422)
    try:
        tag = services.add_local_tag(establishment, form.data, current_user)
    except services.TaggingError as error:
        return _render_taxonomy(establishment, form, error.message, 422)
    db.session.commit()
    flash(_("Tag added to the taxonomy: %(tag)s.", tag=tag.label_fr))
    return redirect(url_for("equity.taxonomy_page", establishment_id=establishment.id))


@bp.post("/establishments/<int:establishment_id>/equity/tags/retire")
@login_required
@limit_posts
def retire_tag(establishment_id: int):
    establishment = db.get_or_404(Establishment, establishment_id)
    permissions.require(current_user, "equity.taxonomy.manage", establishment)
    form = RetireForm()
    tag = db.session.get(LocalTag, form.tag_id.data) if form.validate_on_submit() else None
    if tag is None or tag.establishment_id != establishment.id:
        flash(_("This tag could not be found in this establishment's taxonomy."), "error")
        return redirect(url_for("equity.taxonomy_page", establishment_id=establishment.id))
    if form.action.data == "retire":
        services.retire_local_tag(tag, current_user)
        message = _("Tag retired: %(tag)s. Inputs that carry it still show it.", tag=tag.label_fr)
    else:
        services.reinstate_local_tag(tag)
        message = _("Tag offered again: %(tag)s.", tag=tag.label_fr)
    db.session.commit()
    flash(message)
    return redirect(url_for("equity.taxonomy_page", establishment_id=establishment.id))


# ------------------------------------------------------------------------------------------ settings


@bp.route("/projects/<int:project_id>/equity/settings", methods=["GET", "POST"])
@login_required
@limit_posts
def settings(project_id: int):
    project = db.get_or_404(ClinicalProject, project_id)
    permissions.require(current_user, "equity.settings", project)
    current = services.settings_for(project)
    form = SettingsForm(data={"population_keyword": current.population_keyword,
                              "threshold": f"{current.threshold:g}"} if request.method == "GET" else None)
    back = request.args.get("round", type=int)
    if request.method == "POST":
        value = form.threshold_value() if form.validate_on_submit() else None
        if value is not None:
            services.save_settings(project, form.population_keyword.data, value, current_user)
            db.session.commit()
            flash(_("The population rule of this project is saved."))
            if back and db.session.get(ConsultationRound, back) is not None:
                return redirect(url_for("equity.lens", round_id=back))
            return redirect(url_for("equity.settings", project_id=project.id))
        return render_template("equity/settings.html", project=project, form=form, back=back), 422
    return render_template("equity/settings.html", project=project, form=form, back=back)
