"""Admin pages: the people registered, their roles per establishment, and the development outbox."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from consult.accounts.forms import EmptyForm
from consult.accounts.models import EstablishmentRole, EstablishmentRoleKind, User
from consult.admin.forms import GrantRoleForm, UserSearchForm
from consult.core import permissions
from consult.core.db import db
from consult.core.pagination import paginate
from consult.territories.models import Establishment

bp = Blueprint("admin", __name__)


@bp.before_request
def _only_admins() -> None:
    permissions.require(current_user, "admin.access")


@bp.get("/")
def dashboard():
    counts = {
        "users": db.session.scalar(select(db.func.count(User.id)).where(User.deleted_at.is_(None))),
        "establishments": db.session.scalar(select(db.func.count(Establishment.id))),
    }
    return render_template("admin/dashboard.html", counts=counts,
                           outbox=current_app.config["CONSULT_OUTBOX_PAGE"])


@bp.get("/users")
def users():
    form = UserSearchForm(request.args)
    stmt = select(User).where(User.deleted_at.is_(None)).options(
        selectinload(User.establishment_roles).selectinload(EstablishmentRole.establishment)).order_by(User.email)
    if form.validate() and form.q.data:
        pattern = f"%{form.q.data.strip().lower()}%"
        stmt = stmt.where(or_(db.func.lower(User.email).like(pattern), db.func.lower(User.display_name).like(pattern)))
    return render_template("admin/users.html", page=paginate(stmt), form=form)


def _grant_form() -> GrantRoleForm:
    form = GrantRoleForm(prefix="grant")
    form.establishment_id.choices = [(e.id, e.name) for e in db.session.scalars(
        select(Establishment).order_by(Establishment.name))]
    return form


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    person = db.get_or_404(User, user_id)
    if person.is_deleted:
        abort(404)
    form = _grant_form()
    if form.validate_on_submit():
        establishment = db.get_or_404(Establishment, form.establishment_id.data)
        kind = EstablishmentRoleKind(form.role.data)
        exists = db.session.scalar(select(EstablishmentRole).filter_by(
            user_id=person.id, establishment_id=establishment.id, role=kind))
        if exists is None:
            db.session.add(EstablishmentRole(user=person, establishment=establishment, role=kind))
            db.session.commit()
        flash(_("%(name)s is now %(role)s of %(establishment)s.", name=person.public_name,
                role=exists.label if exists else EstablishmentRole(role=kind).label,
                establishment=establishment.name), "success")
        return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/user.html", person=person, form=form, empty=EmptyForm()), (
        422 if form.is_submitted() else 200)


@bp.post("/users/<int:user_id>/roles/<int:role_id>/revoke")
def revoke_role(user_id: int, role_id: int):
    role = db.get_or_404(EstablishmentRole, role_id)
    if role.user_id != user_id or not EmptyForm().validate_on_submit():
        abort(400)
    db.session.delete(role)
    db.session.commit()
    flash(_("The role was removed."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


def _outbox_folder() -> Path:
    if not current_app.config["CONSULT_OUTBOX_PAGE"]:
        abort(404)
    return Path(current_app.config["CONSULT_DATA_DIR"]) / "outbox"


@bp.get("/outbox")
def outbox():
    files = sorted(_outbox_folder().glob("*.eml"), reverse=True)[:200]
    messages = []
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        messages.append({"id": path.stem, "to": msg["To"], "subject": msg["Subject"], "date": msg["Date"]})
    return render_template("admin/outbox.html", messages=messages)


@bp.get("/outbox/<message_id>")
def outbox_message(message_id: str):
    if not message_id.isdigit():
        abort(404)
    path = _outbox_folder() / f"{message_id}.eml"
    if not path.exists():
        abort(404)
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return render_template("admin/outbox_message.html", msg=msg, body=msg.get_body().get_content())
