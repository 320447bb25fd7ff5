"""Pages around the API: the human-readable API reference (rendered from the OpenAPI document), the account's
API tokens (list, create — the secret shown once —, revoke), and the round's open-data download.

These are ordinary pages: signed in with the session, forms with CSRF, unlike the /api/v1 blueprint.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.accounts.forms import EmptyForm
from consult.api import openapi, tokens
from consult.api.forms import TokenForm
from consult.api.models import SCOPE_LABELS, SCOPE_MEANINGS, ApiToken, Scope
from consult.api.problems import TYPES
from consult.core import permissions
from consult.core.db import db, now_utc
from consult.core.errors import acting_user
from consult.core.ratelimits import limit_posts
from consult.rounds.models import ConsultationRound

bp = Blueprint("api_pages", __name__)


@bp.get("/api")
def docs():
    document = openapi.document()
    return render_template("api/docs.html", doc=document, operations=openapi.operations(),
                           problem_types=TYPES.values(), scope_labels=SCOPE_LABELS, scope_meanings=SCOPE_MEANINGS,
                           Scope=Scope)


def _tokens_page(form: TokenForm, created: tokens.Created | None = None, status: int = 200):
    response = make_response(render_template(
        "api/tokens.html", form=form, tokens=tokens.of_user(current_user), created=created, empty=EmptyForm(),
        now=now_utc()), status)
    # The page may show a secret once: never keep it in a cache or the browser's history.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
@limit_posts
def tokens_page():
    permissions.require(current_user, "api_tokens.create")
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=422 if form.is_submitted() else 200)
    days = int(form.lifetime.data) if form.lifetime.data else None
    created = tokens.create(acting_user(), name=form.name.data, scope=Scope(form.scope.data),
                            expires_at=now_utc() + timedelta(days=days) if days else None)
    db.session.commit()
    # Shown on this response only (no redirect): the secret is never stored, so it cannot be shown again.
    return _tokens_page(TokenForm(formdata=None), created=created)


@bp.post("/account/tokens/<int:api_token_id>/revoke")
@login_required
@limit_posts
def revoke_token(api_token_id: int):
    token = db.get_or_404(ApiToken, api_token_id)
    if not permissions.can(current_user, "api_tokens.manage", token):
        abort(404)  # someone else's token does not exist for this person
    if EmptyForm().validate_on_submit():
        changed = tokens.revoke(token)
        db.session.commit()
        flash(_("The token “%(name)s” is revoked: scripts using it are refused from now on.", name=token.name)
              if changed else _("This token was already revoked."), "success")
    else:
        flash(_("The form expired. Please try again."), "error")
    return redirect(url_for("api_pages.tokens_page"))


@bp.get("/rounds/<int:round_id>/open-data.zip")
def open_data(round_id: int):
    from consult.api.views_rounds import zip_response

    round_ = db.get_or_404(ConsultationRound, round_id)
    if not round_.is_public:
        abort(404)  # a draft is the planners' business, and open data is what the public may read
    return zip_response(round_)
