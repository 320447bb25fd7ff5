"""The partnership registry's pages: the relationships of an organization and of an establishment, one
relationship with each side's word kept apart, the two funding registers, and the handover log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from consult.accounts.forms import EmptyForm
from consult.core import permissions
from consult.core.db import db
from consult.core.errors import acting_user as _user
from consult.organizations import queries, registry
from consult.organizations.blueprint import bp
from consult.organizations.forms import (
    AccountabilityItemForm,
    DescriptionForm,
    HandoverForm,
    JudgementForm,
    MissionFundingForm,
    OpenRelationshipForm,
    OrganizationIdForm,
    ServiceAgreementForm,
    StanceForm,
    VisibilityForm,
)
from consult.organizations.models import (
    CATEGORY_HINTS,
    CONDITIONS,
    QUALITY_LABELS,
    AccountabilityItem,
    MissionFunding,
    Organization,
    Relationship,
    ServiceAgreement,
    Side,
)
from consult.organizations.services import OrganizationError
from consult.organizations.views import deny, not_a_member, not_a_representative, require, show_error
from consult.territories.models import Establishment


def _not_a_planner(establishment: Establishment) -> str:
    return _("Only the planners of %(name)s can do this.", name=establishment.name)


def _cannot_see(relationship: Relationship) -> str:
    return _("This relationship record is seen only by the members of %(organization)s, the planners of "
             "%(establishment)s and platform administrators.", organization=relationship.organization.name,
             establishment=relationship.establishment.name)


# The organization's side ---------------------------------------------------------------------------


def _open_form() -> OpenRelationshipForm:
    form = OpenRelationshipForm()
    establishments = db.session.scalars(select(Establishment).order_by(Establishment.name))
    form.establishment_id.choices = [SelectChoice("", _("Choose an establishment")),
                                     *(SelectChoice(str(e.id), e.name) for e in establishments)]
    return form


def _organization_relationships_page(organization: Organization, status: int = 200,
                                     open_form: OpenRelationshipForm | None = None):
    return render_template(
        "organizations/relationships.html", organization=organization,
        page=queries.relationships_of_organization(organization),
        funding=queries.mission_funding_of(organization),
        agreements=queries.service_agreements_of(organization),
        represents=permissions.can(current_user, "organization.relationships.manage", organization),
        open_form=open_form or _open_form(),
        visibility=VisibilityForm(relationships_public=organization.relationships_public), Side=Side), status


@bp.get("/organizations/<int:organization_id>/relationships")
def organization_relationships(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    require("organization.relationships.view", organization, not_a_member(organization))
    return _organization_relationships_page(organization)


@bp.post("/organizations/<int:organization_id>/relationships")
def open_from_organization(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    require("organization.relationships.manage", organization, not_a_representative(organization))
    form = _open_form()
    if not form.validate_on_submit():
        return _organization_relationships_page(organization, 422, open_form=form)
    establishment = db.get_or_404(Establishment, form.establishment_id.data)
    relationship, created = registry.open_relationship(establishment, organization, _user(), Side.organization)
    db.session.commit()
    flash(_("The record of your relationship with %(name)s is open. Say where your organization stands.",
            name=establishment.name) if created else
          _("A record of this relationship already exists; here it is."), "success" if created else "info")
    return redirect(url_for("organizations.relationship", relationship_id=relationship.id))


@bp.post("/organizations/<int:organization_id>/visibility")
def visibility(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    require("organization.relationships.manage", organization, not_a_representative(organization))
    form = VisibilityForm()
    if form.validate_on_submit():
        organization.relationships_public = bool(form.relationships_public.data)
        db.session.commit()
        flash(_("Your relationships with establishments are now shown on your public page.")
              if organization.relationships_public else
              _("Your relationships with establishments are no longer shown on your public page."), "success")
    return redirect(url_for("organizations.organization_relationships", organization_id=organization.id))


# The establishment's side ----------------------------------------------------------------------------


@bp.get("/establishments/<int:establishment_id>/relationships")
def establishment_relationships(establishment_id: int):
    establishment = db.get_or_404(Establishment, establishment_id)
    require("establishment.relationships", establishment,
            _("Only the planners of %(name)s and platform administrators can see its relationships.",
              name=establishment.name))
    return render_template("organizations/establishment_relationships.html", establishment=establishment,
                           page=queries.relationships_of_establishment(establishment),
                           handovers=queries.recent_handovers(establishment),
                           handover_count=queries.count_handovers(establishment), Side=Side)


@bp.post("/establishments/<int:establishment_id>/relationships")
def open_from_establishment(establishment_id: int):
    establishment = db.get_or_404(Establishment, establishment_id)
    require("establishment.open_relationship", establishment, _not_a_planner(establishment))
    form = OrganizationIdForm()
    if not form.validate_on_submit():
        abort(400)
    organization = db.get_or_404(Organization, form.organization_id.data)
    relationship, created = registry.open_relationship(establishment, organization, _user(), Side.establishment)
    db.session.commit()
    flash(_("The record of the relationship with %(name)s is open.", name=organization.name) if created else
          _("A record of this relationship already exists; here it is."), "success" if created else "info")
    return redirect(url_for("organizations.relationship", relationship_id=relationship.id))


def _handover_form(establishment: Establishment) -> HandoverForm:
    form = HandoverForm()
    planners = registry.current_planners(establishment)
    people = {u.id: u for u in [*planners, *registry.former_actors(establishment)]}
    label = lambda u: f"{u.display_name} ({u.email})" if u.display_name else u.email  # noqa: E731
    form.from_user_id.choices = [SelectChoice("", _("Choose a person")),
                                 *(SelectChoice(str(u.id), label(u)) for u in people.values())]
    form.to_user_id.choices = [SelectChoice("", _("Choose a planner")),
                               *(SelectChoice(str(u.id), label(u)) for u in planners)]
    return form


@bp.route("/establishments/<int:establishment_id>/handovers", methods=["GET", "POST"])
def handovers(establishment_id: int):
    establishment = db.get_or_404(Establishment, establishment_id)
    require("establishment.handover", establishment,
            _("Only the planners of %(name)s and platform administrators can see and record its handovers.",
              name=establishment.name))
    form = _handover_form(establishment)
    if form.validate_on_submit():
        people = registry.users_by_ids([form.from_user_id.data, form.to_user_id.data])
        try:
            registry.record_handover(establishment, from_user=people[form.from_user_id.data],
                                     to_user=people[form.to_user_id.data],
                                     handed_over_on=form.handed_over_on.data, note=form.note.data, actor=_user())
        except OrganizationError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The handover was recorded. The relationships and their history stay with %(name)s.",
                    name=establishment.name), "success")
            return redirect(url_for("organizations.handovers", establishment_id=establishment.id))
    return render_template("organizations/handovers.html", establishment=establishment, form=form,
                           page=queries.handovers_page(establishment)), 422 if form.is_submitted() else 200


# One relationship ----------------------------------------------------------------------------------


def _relationship(relationship_id: int) -> Relationship:
    relationship = db.get_or_404(Relationship, relationship_id)
    if not permissions.can(current_user, "relationship.view", relationship):
        deny(_cannot_see(relationship))
    return relationship


def _description_form(relationship: Relationship) -> DescriptionForm:
    data = {name: getattr(relationship, name) for name in CONDITIONS}
    data.update(category=relationship.category, partnership_type=relationship.partnership_type,
                parties=relationship.parties, sector=relationship.sector,
                instruments=[i.instrument for i in relationship.instruments],
                instrument_other=relationship.instrument_other, rules_origin=relationship.rules_origin,
                lead=relationship.lead)
    return DescriptionForm(data=data)


def _judgement_form(relationship: Relationship, side: Side) -> JudgementForm:
    judgement = relationship.judgement(side)
    data = {"quality": judgement.quality, "note": judgement.note} if judgement else {}
    return JudgementForm(prefix=side.value, data=data)


def _relationship_page(relationship: Relationship, status: int = 200, **forms):
    page_forms = {
        "stance_form": StanceForm(data={"stance": relationship.stance, "note": relationship.stance_note}),
        "establishment_form": _judgement_form(relationship, Side.establishment),
        "organization_form": _judgement_form(relationship, Side.organization),
    }
    page_forms.update(forms)
    stance_by = registry.users_by_ids([relationship.stance_set_by_id]).get(relationship.stance_set_by_id or 0)
    return render_template(
        "organizations/relationship.html", relationship=relationship, history=queries.history_page(relationship),
        handovers=queries.recent_handovers(relationship.establishment),
        handover_count=queries.count_handovers(relationship.establishment), conditions=CONDITIONS,
        quality_labels=QUALITY_LABELS, stance_by=stance_by, Side=Side, empty=EmptyForm(), **page_forms), status


@bp.get("/relationships/<int:relationship_id>")
def relationship(relationship_id: int):
    return _relationship_page(_relationship(relationship_id))


@bp.route("/relationships/<int:relationship_id>/describe", methods=["GET", "POST"])
def describe(relationship_id: int):
    relationship = _relationship(relationship_id)
    require("relationship.describe", relationship,
            _("Only the planners of %(establishment)s and the representatives of %(organization)s can describe "
              "this relationship.", establishment=relationship.establishment.name,
              organization=relationship.organization.name))
    form = _description_form(relationship)
    if form.validate_on_submit():
        description = registry.Description(
            category=form.category.data, conditions={name: bool(form[name].data) for name in CONDITIONS},
            partnership_type=form.partnership_type.data, parties=form.parties.data, sector=form.sector.data,
            instruments=tuple(form.instruments.data or ()), instrument_other=form.instrument_other.data,
            rules_origin=form.rules_origin.data, lead=form.lead.data)
        try:
            registry.describe(relationship, description, _user(), registry.side_of(_user(), relationship))
        except OrganizationError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The description of the relationship was saved."), "success")
            return redirect(url_for("organizations.relationship", relationship_id=relationship.id))
    return render_template("organizations/describe.html", relationship=relationship, form=form,
                           conditions=CONDITIONS, hints=CATEGORY_HINTS), 422 if form.is_submitted() else 200


@bp.post("/relationships/<int:relationship_id>/stance")
def stance(relationship_id: int):
    relationship = _relationship(relationship_id)
    require("relationship.stance", relationship,
            _("Only the representatives of %(name)s can state its stance: the establishment never sets it.",
              name=relationship.organization.name))
    form = StanceForm()
    if not form.validate_on_submit():
        return _relationship_page(relationship, 422, stance_form=form)
    registry.set_stance(relationship, form.stance.data, form.note.data, _user())
    db.session.commit()
    flash(_("Your organization's stance was saved."), "success")
    return redirect(url_for("organizations.relationship", relationship_id=relationship.id) + "#stance")


def _judge(relationship_id: int, side: Side):
    relationship = _relationship(relationship_id)
    if side is Side.establishment:
        message = _("Only the planners of %(name)s can record the establishment's judgement. Each side records "
                    "its own.", name=relationship.establishment.name)
    else:
        message = _("Only the representatives of %(name)s can record the organization's judgement. Each side "
                    "records its own.", name=relationship.organization.name)
    require(f"relationship.judge.{side.value}", relationship, message)
    form = JudgementForm(prefix=side.value)
    if not form.validate_on_submit():
        return _relationship_page(relationship, 422, **{f"{side.value}_form": form})
    registry.set_judgement(relationship, side, form.quality.data, form.note.data, _user())
    db.session.commit()
    flash(_("Your judgement of the relationship was saved."), "success")
    return redirect(url_for("organizations.relationship", relationship_id=relationship.id) + "#judgements")


@bp.post("/relationships/<int:relationship_id>/judgement/establishment")
def judge_establishment(relationship_id: int):
    return _judge(relationship_id, Side.establishment)


@bp.post("/relationships/<int:relationship_id>/judgement/organization")
def judge_organization(relationship_id: int):
    return _judge(relationship_id, Side.organization)


# Mission funding ---------------------------------------------------------------------------------------


def _manage_funding(relationship: Relationship) -> None:
    require("funding.manage", relationship, _("Only the planners of %(name)s record funding and agreements.",
                                              name=relationship.establishment.name))


def _funding_form_page(relationship: Relationship, form: MissionFundingForm, funding: MissionFunding | None):
    return render_template("organizations/funding_form.html", relationship=relationship, form=form,
                           funding=funding, empty=EmptyForm()), 422 if form.is_submitted() else 200


def _save_funding(relationship: Relationship, form: MissionFundingForm, funding: MissionFunding | None):
    try:
        registry.save_mission_funding(relationship, funding, programme=form.programme.data,
                                      amount_cents=form.amount.cents or 0, starts_on=form.starts_on.data,
                                      ends_on=form.ends_on.data, note=form.note.data, actor=_user())
    except OrganizationError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    db.session.commit()
    flash(_("The mission funding was saved."), "success")
    return redirect(url_for("organizations.relationship", relationship_id=relationship.id) + "#mission-funding")


@bp.route("/relationships/<int:relationship_id>/mission-funding/new", methods=["GET", "POST"])
def new_funding(relationship_id: int):
    relationship = _relationship(relationship_id)
    _manage_funding(relationship)
    form = MissionFundingForm()
    if form.validate_on_submit():
        done = _save_funding(relationship, form, None)
        if done is not None:
            return done
    return _funding_form_page(relationship, form, None)


@bp.route("/mission-funding/<int:funding_id>", methods=["GET", "POST"])
def edit_funding(funding_id: int):
    funding = db.get_or_404(MissionFunding, funding_id)
    relationship = _relationship(funding.relationship_id)
    _manage_funding(relationship)
    form = MissionFundingForm(data={"programme": funding.programme, "amount": f"{funding.amount_cents / 100:.2f}",
                                    "starts_on": funding.starts_on, "ends_on": funding.ends_on,
                                    "note": funding.note})
    if form.validate_on_submit():
        done = _save_funding(relationship, form, funding)
        if done is not None:
            return done
    return _funding_form_page(relationship, form, funding)


@bp.post("/mission-funding/<int:funding_id>/delete")
def delete_funding(funding_id: int):
    funding = db.get_or_404(MissionFunding, funding_id)
    relationship = _relationship(funding.relationship_id)
    _manage_funding(relationship)
    if EmptyForm().validate_on_submit():
        registry.delete_mission_funding(funding, _user())
        db.session.commit()
        flash(_("The mission funding was removed. The history keeps a trace of it."), "success")
    return redirect(url_for("organizations.relationship", relationship_id=relationship.id) + "#mission-funding")


# Service agreements ---------------------------------------------------------------------------------


def _agreement_page(relationship: Relationship, agreement: ServiceAgreement | None, form: ServiceAgreementForm,
                    status: int = 200, item_form: AccountabilityItemForm | None = None):
    return render_template("organizations/agreement.html", relationship=relationship, agreement=agreement,
                           form=form, item_form=item_form or AccountabilityItemForm(prefix="item"),
                           empty=EmptyForm()), status


def _save_agreement(relationship: Relationship, form: ServiceAgreementForm, agreement: ServiceAgreement | None):
    try:
        saved = registry.save_service_agreement(
            relationship, agreement, title=form.title.data, amount_cents=form.amount.cents or 0,
            starts_on=form.starts_on.data, ends_on=form.ends_on.data, services=form.services.data,
            note=form.note.data, actor=_user())
    except OrganizationError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    db.session.commit()
    flash(_("The service agreement was saved."), "success")
    return redirect(url_for("organizations.agreement", agreement_id=saved.id))


@bp.route("/relationships/<int:relationship_id>/service-agreements/new", methods=["GET", "POST"])
def new_agreement(relationship_id: int):
    relationship = _relationship(relationship_id)
    _manage_funding(relationship)
    form = ServiceAgreementForm()
    if form.validate_on_submit():
        done = _save_agreement(relationship, form, None)
        if done is not None:
            return done
    return _agreement_page(relationship, None, form, 422 if form.is_submitted() else 200)


@bp.route("/service-agreements/<int:agreement_id>", methods=["GET", "POST"])
def agreement(agreement_id: int):
    """Everyone who may see amounts reads the agreement and its accountability items; planners edit it."""
    found = db.get_or_404(ServiceAgreement, agreement_id)
    relationship = _relationship(found.relationship_id)
    form = ServiceAgreementForm(data={"title": found.title, "amount": f"{found.amount_cents / 100:.2f}",
                                      "starts_on": found.starts_on, "ends_on": found.ends_on,
                                      "services": found.services, "note": found.note})
    if form.is_submitted():
        _manage_funding(relationship)
        if form.validate_on_submit():
            done = _save_agreement(relationship, form, found)
            if done is not None:
                return done
        return _agreement_page(relationship, found, form, 422)
    return _agreement_page(relationship, found, form)


@bp.post("/service-agreements/<int:agreement_id>/delete")
def delete_agreement(agreement_id: int):
    found = db.get_or_404(ServiceAgreement, agreement_id)
    relationship = _relationship(found.relationship_id)
    _manage_funding(relationship)
    if EmptyForm().validate_on_submit():
        registry.delete_service_agreement(found, _user())
        db.session.commit()
        flash(_("The service agreement was removed. The history keeps a trace of it."), "success")
    return redirect(url_for("organizations.relationship", relationship_id=relationship.id) + "#service-agreements")


@bp.post("/service-agreements/<int:agreement_id>/items")
def add_item(agreement_id: int):
    found = db.get_or_404(ServiceAgreement, agreement_id)
    relationship = _relationship(found.relationship_id)
    _manage_funding(relationship)
    item_form = AccountabilityItemForm(prefix="item")
    if not item_form.validate_on_submit():
        form = ServiceAgreementForm(data={"title": found.title, "amount": f"{found.amount_cents / 100:.2f}",
                                          "starts_on": found.starts_on, "ends_on": found.ends_on,
                                          "services": found.services, "note": found.note}, formdata=None)
        return _agreement_page(relationship, found, form, 422, item_form=item_form)
    registry.add_accountability_item(found, item_form.description.data, item_form.due_on.data, _user())
    db.session.commit()
    flash(_("The accountability item was added."), "success")
    return redirect(url_for("organizations.agreement", agreement_id=found.id) + "#items")


@bp.post("/accountability-items/<int:item_id>/reported")
def item_reported(item_id: int):
    item = db.get_or_404(AccountabilityItem, item_id)
    relationship = _relationship(item.agreement.relationship_id)
    require("accountability.report", item, not_a_representative(relationship.organization))
    if EmptyForm().validate_on_submit():
        try:
            registry.mark_reported(item, _user())
        except OrganizationError as error:
            show_error(None, error)
        else:
            db.session.commit()
            flash(_("The item is marked as reported."), "success")
    return redirect(url_for("organizations.agreement", agreement_id=item.agreement_id) + "#items")


@bp.post("/accountability-items/<int:item_id>/delete")
def delete_item(item_id: int):
    item = db.get_or_404(AccountabilityItem, item_id)
    relationship = _relationship(item.agreement.relationship_id)
    _manage_funding(relationship)
    agreement_id = item.agreement_id
    if EmptyForm().validate_on_submit():
        registry.delete_accountability_item(item, _user())
        db.session.commit()
        flash(_("The accountability item was removed."), "success")
    return redirect(url_for("organizations.agreement", agreement_id=agreement_id) + "#items")
