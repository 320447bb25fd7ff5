"""Organization pages: the public directory and profiles, self-registration, members and
representatives, invitations, requests to join, coalitions."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from consult.accounts.forms import EmptyForm
from consult.core import permissions
from consult.core.db import db
from consult.core.errors import acting_user as _user
from consult.core.errors import deny
from consult.extensions import limiter
from consult.i18n.locale import current_lang
from consult.organizations import queries, services
from consult.organizations.blueprint import bp
from consult.organizations.forms import (
    DirectoryForm,
    InviteForm,
    JoinForm,
    OrganizationForm,
    OrganizationIdForm,
    RoleForm,
)
from consult.organizations.models import (
    CoalitionMembership,
    CoalitionStatus,
    InvitationStatus,
    JoinRequest,
    MemberRole,
    Organization,
    OrganizationInvitation,
    OrganizationMember,
)
from consult.organizations.policies import role_in
from consult.organizations.programmes import programme_choices, programme_label
from consult.organizations.services import OrganizationError
from consult.territories.forms import grouped_choices
from consult.territories.models import TerritoryNode


def require(action: str, obj: object, message: str) -> None:
    if not permissions.can(current_user, action, obj):
        deny(message)


def not_a_member(organization: Organization) -> str:
    return _("Only members of %(name)s can do this.", name=organization.name)


def not_a_representative(organization: Organization) -> str:
    return _("Only the representatives of %(name)s can do this.", name=organization.name)


def show_error(form: FlaskForm | None, error: OrganizationError) -> None:
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]  # type: ignore[assignment]
    else:
        flash(error.message, "error")


def _mail_limit() -> str:
    # Actions that send e-mail to someone else: a cap keeps them from becoming a way to spam.
    return current_app.config["CONSULT_POST_LIMIT"]


# The directory and the public page -----------------------------------------------------------------


@bp.get("/organizations")
def directory():
    form = DirectoryForm(request.args)
    form.territory.choices = grouped_choices(queries.directory_territories(), empty=_("All territories"))
    form.programme.choices = [SelectChoice("", _("All programmes")),
                              *(SelectChoice(code, label) for code, label in programme_choices())]
    form.validate()
    text = form.q.data if not form.q.errors else None
    territory = db.session.get(TerritoryNode, form.territory.data) if form.territory.data else None
    programme = form.programme.data if form.programme.data in dict(programme_choices()) else None
    coalition_id = request.args.get("coalition", type=int)
    coalition = db.session.get(Organization, coalition_id) if coalition_id else None
    page = queries.directory(text=text, kind=form.kind.data, territory=territory, programme=programme,
                             coalition=coalition)
    filters = {key: value for key, value in {
        "q": text, "kind": form.kind.data.value if form.kind.data else None,
        "territory": territory.id if territory else None, "programme": programme,
        "coalition": coalition.id if coalition else None}.items() if value}
    return render_template("organizations/directory.html", form=form, page=page, filters=filters,
                           coalition=coalition, programme_label=programme_label)


@bp.get("/organizations/<int:organization_id>")
def show(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    user = current_user
    planned = queries.establishments_planned_by(user)
    coalitions_to_offer = [c for c in queries.represented_by(user) if c.is_grouping and c.id != organization.id]
    join_form = JoinForm() if permissions.can(user, "organization.join", organization) else None
    return render_template(
        "organizations/organization.html", organization=organization, role=role_in(user, organization),
        programme_label=programme_label,
        members_preview=queries.confirmed_members(organization, limit=10) if organization.is_grouping else [],
        members_count=queries.count_confirmed_members(organization) if organization.is_grouping else 0,
        coalitions=queries.coalitions_of(organization),
        public_relationships=queries.public_relationships(organization),
        pending_request=queries.pending_request_of(organization, user), join_form=join_form,
        planned=planned, relationships=queries.relationships_with(organization, {e.id for e in planned}),
        coalition_links={c.id: queries.coalition_link(c, organization) for c in coalitions_to_offer},
        coalitions_to_offer=coalitions_to_offer, empty=EmptyForm(),
        id_form=OrganizationIdForm(organization_id=organization.id))


# Registering and editing ---------------------------------------------------------------------------


def _organization_form(organization: Organization | None = None) -> OrganizationForm:
    data = {}
    if organization is not None:
        data = {"name": organization.name, "kind": organization.kind, "legal_name": organization.legal_name,
                "neq": organization.neq_display or None, "mission": organization.mission,
                "territory_ids": [t.id for t in organization.territories],
                "programme_codes": organization.programme_codes, "contact_email": organization.contact_email,
                "contact_phone": organization.contact_phone, "website": organization.website,
                "address": organization.address}
    form = OrganizationForm(data=data)
    nodes = list(db.session.scalars(select(TerritoryNode).order_by(TerritoryNode.code)))
    form.territory_ids.choices = grouped_choices(nodes)
    return form


def _profile(form: OrganizationForm) -> services.Profile:
    return services.Profile(
        name=form.name.data, kind=form.kind.data, legal_name=form.legal_name.data, neq=form.neq.data,
        mission=form.mission.data, contact_email=form.contact_email.data,
        contact_phone=form.contact_phone.data, website=form.website.data, address=form.address.data,
        territories=tuple(services.find_territories(form.territory_ids.data or [])),
        programme_codes=tuple(form.programme_codes.data or []))


def _possible_duplicates(form: OrganizationForm, organization: Organization | None) -> list[Organization]:
    """The organizations this may be a duplicate of, unless the person already said it is not, or the
    name and number did not change."""
    if form.confirm_new.data:
        return []
    if organization is not None and services.fold(form.name.data) == organization.name_key and (
            services.normalize_neq(form.neq.data) == organization.neq):
        return []
    return services.similar_organizations(form.name.data, form.neq.data,
                                          organization.id if organization else None)


@bp.route("/organizations/new", methods=["GET", "POST"])
@login_required
def new():
    form = _organization_form()
    allowed = permissions.can(current_user, "organizations.create")
    if not allowed:
        # The page says why and how to confirm the address; a post changes nothing.
        status = 403 if form.is_submitted() else 200
        return render_template("organizations/form.html", form=form, organization=None, unverified=True,
                               empty=EmptyForm()), status
    similar: list[Organization] = []
    if form.validate_on_submit():
        similar = _possible_duplicates(form, None)
        if not similar:
            try:
                organization = services.create_organization(_user(), _profile(form))
            except OrganizationError as error:
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("%(name)s is registered and you are its representative. Invite the other members "
                        "of your organization from its members page.", name=organization.name), "success")
                return redirect(url_for("organizations.show", organization_id=organization.id))
    return render_template("organizations/form.html", form=form, organization=None, similar=similar,
                           empty=EmptyForm()), 422 if form.is_submitted() else 200


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
def edit(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    require("organization.edit", organization, not_a_representative(organization))
    form = _organization_form(organization)
    similar: list[Organization] = []
    if form.validate_on_submit():
        similar = _possible_duplicates(form, organization)
        if not similar:
            try:
                services.update_profile(organization, _profile(form))
            except OrganizationError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("The profile of %(name)s was saved.", name=organization.name), "success")
                return redirect(url_for("organizations.show", organization_id=organization.id))
    return render_template("organizations/form.html", form=form, organization=organization, similar=similar,
                           empty=EmptyForm()), 422 if form.is_submitted() else 200


@bp.post("/organizations/<int:organization_id>/verify")
def verify(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    require("organization.verify", organization, _("Only a platform administrator can give or remove the "
                                                   "verified mark."))
    if EmptyForm().validate_on_submit():
        verified = request.form.get("verified") == "1"
        services.set_verified(organization, _user(), verified)
        db.session.commit()
        flash(_("%(name)s now shows the verified mark.", name=organization.name) if verified else
              _("The verified mark of %(name)s was removed.", name=organization.name), "success")
    return redirect(url_for("organizations.show", organization_id=organization.id))


# Members -------------------------------------------------------------------------------------------


def _members_page(organization: Organization, status: int = 200, invite_form: InviteForm | None = None):
    return render_template(
        "organizations/members.html", organization=organization, page=queries.members_page(organization),
        requests=queries.pending_requests(organization), invitations=queries.pending_invitations(organization),
        invite_form=invite_form or InviteForm(), empty=EmptyForm(), role=role_in(current_user, organization),
        representatives=len(organization.representatives()), MemberRole=MemberRole), status


@bp.get("/organizations/<int:organization_id>/members")
def members(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    require("organization.members.view", organization, not_a_member(organization))
    return _members_page(organization)


@bp.post("/organizations/<int:organization_id>/invitations")
@limiter.limit(_mail_limit)
def invite(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    require("organization.members.manage", organization, not_a_representative(organization))
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite(organization, form.email.data, form.role.data, _user(), current_lang())
        except OrganizationError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("An invitation was sent to %(email)s.", email=form.email.data.strip().lower()), "success")
            return redirect(url_for("organizations.members", organization_id=organization.id))
    return _members_page(organization, 422, invite_form=form)


def _invitation_of(organization: Organization, invitation_id: int) -> OrganizationInvitation:
    invitation = db.get_or_404(OrganizationInvitation, invitation_id)
    if invitation.organization_id != organization.id:
        abort(404)
    return invitation


@bp.post("/organizations/<int:organization_id>/invitations/<int:invitation_id>/revoke")
def revoke_invitation(organization_id: int, invitation_id: int):
    organization = db.get_or_404(Organization, organization_id)
    invitation = _invitation_of(organization, invitation_id)
    require("organization.members.manage", organization, not_a_representative(organization))
    if EmptyForm().validate_on_submit():
        try:
            services.revoke_invitation(invitation)
        except OrganizationError as error:
            show_error(None, error)
        else:
            db.session.commit()
            flash(_("The invitation sent to %(email)s was withdrawn; its link no longer works.",
                    email=invitation.email), "success")
    return redirect(url_for("organizations.members", organization_id=organization.id))


def _membership_of(organization: Organization, membership_id: int) -> OrganizationMember:
    membership = db.get_or_404(OrganizationMember, membership_id)
    if membership.organization_id != organization.id:
        abort(404)
    return membership


@bp.post("/organizations/<int:organization_id>/members/<int:membership_id>/role")
def change_role(organization_id: int, membership_id: int):
    organization = db.get_or_404(Organization, organization_id)
    membership = _membership_of(organization, membership_id)
    require("organization.members.manage", organization, not_a_representative(organization))
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose member or representative."), "error")
    else:
        try:
            services.change_role(membership, form.role.data)
        except OrganizationError as error:
            db.session.rollback()
            show_error(None, error)
        else:
            db.session.commit()
            flash(_("%(name)s is now %(role)s.", name=membership.user.public_name, role=membership.label.lower()),
                  "success")
    return redirect(url_for("organizations.members", organization_id=organization.id))


@bp.post("/organizations/<int:organization_id>/members/<int:membership_id>/transfer")
def transfer(organization_id: int, membership_id: int):
    organization = db.get_or_404(Organization, organization_id)
    membership = _membership_of(organization, membership_id)
    require("organization.represent", organization, not_a_representative(organization))
    if EmptyForm().validate_on_submit():
        try:
            services.transfer_representative(organization, _user(), membership)
        except OrganizationError as error:
            db.session.rollback()
            show_error(None, error)
        else:
            db.session.commit()
            flash(_("%(name)s is now the representative; you remain a member.",
                    name=membership.user.public_name), "success")
    return redirect(url_for("organizations.members", organization_id=organization.id))


@bp.post("/organizations/<int:organization_id>/members/<int:membership_id>/remove")
def remove_member(organization_id: int, membership_id: int):
    organization = db.get_or_404(Organization, organization_id)
    membership = _membership_of(organization, membership_id)
    require("organization.members.manage", organization, not_a_representative(organization))
    if EmptyForm().validate_on_submit():
        name = membership.user.public_name
        try:
            services.remove_member(membership)
        except OrganizationError as error:
            db.session.rollback()
            show_error(None, error)
        else:
            db.session.commit()
            flash(_("%(name)s is no longer a member of %(organization)s.", name=name,
                    organization=organization.name), "success")
    return redirect(url_for("organizations.members", organization_id=organization.id))


@bp.post("/organizations/<int:organization_id>/leave")
def leave(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    require("organization.leave", organization, _("You are not a member of %(name)s.", name=organization.name))
    if EmptyForm().validate_on_submit():
        try:
            services.leave(organization, _user())
        except OrganizationError as error:
            db.session.rollback()
            show_error(None, error)
            return redirect(url_for("organizations.members", organization_id=organization.id))
        db.session.commit()
        flash(_("You left %(name)s.", name=organization.name), "success")
    return redirect(url_for("organizations.show", organization_id=organization.id))


# Requests to join ------------------------------------------------------------------------------------


@bp.post("/organizations/<int:organization_id>/join")
@limiter.limit(_mail_limit)
def request_join(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    if role_in(current_user, organization) is not None:
        deny(_("You are already a member of %(name)s.", name=organization.name))
    require("organization.join", organization, _("Confirm your e-mail address before asking to join an "
                                                 "organization."))
    form = JoinForm()
    if form.validate_on_submit():
        try:
            services.request_to_join(organization, _user(), form.message.data)
        except OrganizationError as error:
            show_error(None, error)
        else:
            db.session.commit()
            flash(_("Your request was sent to the representatives of %(name)s.", name=organization.name),
                  "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
    return redirect(url_for("organizations.show", organization_id=organization.id))


def _decide(organization_id: int, request_id: int, approve: bool):
    organization = db.get_or_404(Organization, organization_id)
    join_request = db.get_or_404(JoinRequest, request_id)
    if join_request.organization_id != organization.id:
        abort(404)
    require("organization.members.manage", organization, not_a_representative(organization))
    if EmptyForm().validate_on_submit():
        try:
            services.decide_request(join_request, _user(), approve)
        except OrganizationError as error:
            show_error(None, error)
        else:
            db.session.commit()
            name = join_request.user.public_name
            flash(_("%(name)s is now a member.", name=name) if approve
                  else _("The request of %(name)s was refused.", name=name), "success")
    return redirect(url_for("organizations.members", organization_id=organization.id))


@bp.post("/organizations/<int:organization_id>/requests/<int:request_id>/approve")
def approve_request(organization_id: int, request_id: int):
    return _decide(organization_id, request_id, True)


@bp.post("/organizations/<int:organization_id>/requests/<int:request_id>/refuse")
def refuse_request(organization_id: int, request_id: int):
    return _decide(organization_id, request_id, False)


# Invitations, from the invited person's side ------------------------------------------------------


@bp.route("/organizations/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    try:
        found = services.read_invitation(token)
    except services.InvitationExpired:
        return render_template("organizations/invitation.html", problem=_(
            "This invitation has expired. Ask a representative of the organization to send a new one.")), 410
    except services.InvitationClosed as closed:
        message = {
            InvitationStatus.accepted: _("This invitation was already accepted."),
            InvitationStatus.declined: _("This invitation was declined."),
            InvitationStatus.revoked: _("This invitation was withdrawn by the organization."),
        }[closed.invitation.status]
        return render_template("organizations/invitation.html", problem=message,
                               organization=closed.invitation.organization), 410
    except services.InvitationInvalid:
        return render_template("organizations/invitation.html", problem=_(
            "This invitation link is not valid. It may have been replaced by a newer one: use the most recent "
            "e-mail you received.")), 404
    form = EmptyForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            abort(401)
        if form.validate_on_submit():
            if request.form.get("answer") == "decline":
                services.decline_invitation(found, _user())
                db.session.commit()
                flash(_("You declined the invitation of %(name)s.", name=found.organization.name), "success")
                return redirect(url_for("main.home"))
            try:
                services.accept_invitation(found, _user())
            except OrganizationError as error:
                show_error(None, error)
            else:
                db.session.commit()
                flash(_("Welcome to %(name)s.", name=found.organization.name), "success")
                return redirect(url_for("organizations.show", organization_id=found.organization_id))
    already = current_user.is_authenticated and role_in(current_user, found.organization) is not None
    return render_template("organizations/invitation.html", invitation=found, organization=found.organization,
                           form=form, already=already, token=token)


# Coalitions ----------------------------------------------------------------------------------------


@bp.get("/organizations/<int:organization_id>/coalitions")
def coalitions(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    require("organization.members.view", organization, not_a_member(organization))
    return render_template(
        "organizations/coalitions.html", organization=organization,
        page=queries.coalition_members_page(organization) if organization.is_grouping else None,
        memberships=queries.coalitions_of(organization, (CoalitionStatus.pending, CoalitionStatus.confirmed)),
        represents=permissions.can(current_user, "organization.represent", organization), empty=EmptyForm(),
        CoalitionStatus=CoalitionStatus)


@bp.post("/organizations/<int:organization_id>/coalition/members")
@limiter.limit(_mail_limit)
def list_member(organization_id: int):
    coalition = db.get_or_404(Organization, organization_id)
    require("coalition.manage", coalition, _("Only the representatives of a coalition or a round table can "
                                             "list its member organizations."))
    form = OrganizationIdForm()
    if not form.validate_on_submit():
        abort(400)
    member = db.get_or_404(Organization, form.organization_id.data)
    try:
        services.list_in_coalition(coalition, member, _user())
    except OrganizationError as error:
        show_error(None, error)
    else:
        db.session.commit()
        flash(_("%(member)s is listed as a member of %(coalition)s. It counts once a representative of "
                "%(member)s confirms.", member=member.name, coalition=coalition.name), "success")
    return redirect(url_for("organizations.show", organization_id=member.id))


def _answer(link_id: int, confirm: bool):
    link = db.get_or_404(CoalitionMembership, link_id)
    require("coalition.answer", link, not_a_representative(link.member))
    if EmptyForm().validate_on_submit():
        try:
            services.answer_coalition(link, _user(), confirm)
        except OrganizationError as error:
            show_error(None, error)
        else:
            db.session.commit()
            flash(_("%(member)s is confirmed as a member of %(coalition)s.", member=link.member.name,
                    coalition=link.coalition.name) if confirm else
                  _("You declined to be listed as a member of %(coalition)s.", coalition=link.coalition.name),
                  "success")
    return redirect(url_for("organizations.coalitions", organization_id=link.member_id))


@bp.post("/coalition-members/<int:link_id>/confirm")
def confirm_coalition(link_id: int):
    return _answer(link_id, True)


@bp.post("/coalition-members/<int:link_id>/decline")
def decline_coalition(link_id: int):
    return _answer(link_id, False)


@bp.post("/coalition-members/<int:link_id>/withdraw")
def withdraw_coalition(link_id: int):
    link = db.get_or_404(CoalitionMembership, link_id)
    require("coalition.withdraw", link, _("Only the representatives of the coalition or of the member "
                                          "organization can end this membership."))
    if EmptyForm().validate_on_submit():
        try:
            services.withdraw_coalition(link, _user())
        except OrganizationError as error:
            show_error(None, error)
        else:
            db.session.commit()
            flash(_("%(member)s is no longer a member of %(coalition)s.", member=link.member.name,
                    coalition=link.coalition.name), "success")
    back = link.member_id if permissions.can(current_user, "organization.represent", link.member) \
        else link.coalition_id
    return redirect(url_for("organizations.coalitions", organization_id=back))

