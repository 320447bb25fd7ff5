"""Sign-up, sign-in, password reset, the account page and privacy (download my data, delete me)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from consult.accounts import forms, passwords, privacy, services, tokens
from consult.core.db import db
from consult.extensions import limiter
from consult.i18n.locale import current_lang, safe_next

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["CONSULT_LOGIN_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = forms.RegisterForm(language=current_lang())
    if not form.validate_on_submit():
        return render_template("accounts/register.html", form=form), 422 if form.is_submitted() else 200
    services.register(form.email.data, form.password.data, form.display_name.data, form.language.data)
    db.session.commit()
    session["lang"] = form.language.data
    # The same page whether or not the address already had an account: no enumeration.
    return render_template("accounts/check_email.html", email=services.normalize_email(form.email.data))


@bp.get("/verify/<token>")
def verify(token: str):
    try:
        user = tokens.read(token, "verify")
    except tokens.LinkExpired:
        flash(_("This verification link has expired. Sign in to receive a new one."), "error")
        return redirect(url_for("accounts.login"))
    except tokens.LinkInvalid:
        flash(_("This verification link is not valid or was already used. If your address is already "
                "verified, you can simply sign in."), "error")
        return redirect(url_for("accounts.login"))
    services.verify(user)
    db.session.commit()
    flash(_("Your e-mail address is verified. Thank you!"), "success")
    return redirect(url_for("accounts.account") if current_user.is_authenticated else url_for("accounts.login"))


@bp.post("/verify/resend")
@login_required
@limiter.limit(_login_limit)
def resend_verification():
    form = forms.EmptyForm()
    if form.validate_on_submit() and not current_user.is_verified:
        services.send_verification(current_user)
        db.session.commit()
    flash(_("A new verification link was sent to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session on sign-in (no fixation)
            login_user(user, remember=form.remember.data)
            db.session.commit()
            session["lang"] = user.locale
            flash(_("You are signed in."), "success")
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(_("The e-mail address or the password is incorrect."))
    return render_template("accounts/login.html", form=form), 422 if form.is_submitted() else 200


@bp.post("/logout")
def logout():
    form = forms.EmptyForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are signed out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/check_email.html", email=services.normalize_email(form.email.data),
                               reset=True)
    return render_template("accounts/forgot_password.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    try:
        user = tokens.read(token, "reset")
    except tokens.LinkExpired:
        flash(_("This password reset link has expired. Ask for a new one below."), "error")
        return redirect(url_for("accounts.forgot_password"))
    except tokens.LinkInvalid:
        flash(_("This password reset link is not valid or was already used. Ask for a new one below."),
              "error")
        return redirect(url_for("accounts.forgot_password"))
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        problem = passwords.password_problem(form.password.data, user.email)
        if problem:
            form.password.errors.append(problem)
        else:
            services.set_password(user, form.password.data)
            if not user.is_verified:
                services.verify(user)  # following a link sent to the address proves it
            db.session.commit()
            logout_user()
            flash(_("Your password was changed. You can now sign in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    profile = forms.ProfileForm(prefix="profile", display_name=current_user.display_name,
                                language=current_user.locale)
    if profile.validate_on_submit():
        current_user.display_name = (profile.display_name.data or "").strip() or None
        current_user.locale = profile.language.data
        session["lang"] = profile.language.data
        db.session.commit()
        flash(_("Your profile was saved."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(profile=profile), 422 if profile.is_submitted() else 200


def _account_page(**forms_given) -> str:
    from consult.organizations.queries import memberships_of

    page_forms = {
        "profile": forms.ProfileForm(prefix="profile", display_name=current_user.display_name,
                                     language=current_user.locale),
        "email_form": forms.ChangeEmailForm(prefix="email"),
        "password_form": forms.ChangePasswordForm(prefix="password"),
        "empty": forms.EmptyForm(),
    }
    page_forms.update(forms_given)
    return render_template("accounts/account.html", memberships=memberships_of(current_user), **page_forms)


@bp.post("/account/email")
@login_required
@limiter.limit(_login_limit)
def change_email():
    form = forms.ChangeEmailForm(prefix="email")
    if form.validate_on_submit():
        if not passwords.verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The password is incorrect."))
        elif services.normalize_email(form.email.data) == current_user.email:
            form.email.errors.append(_("This is already your e-mail address."))
        else:
            services.request_email_change(current_user, form.email.data)
            db.session.commit()
            flash(_("We sent a confirmation link to %(email)s. Your address changes when you follow it.",
                    email=services.normalize_email(form.email.data)), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(email_form=form), 422


@bp.get("/account/email/confirm/<token>")
def confirm_email(token: str):
    try:
        user = tokens.read(token, "change-email")
        services.confirm_email_change(user)
    except tokens.LinkExpired:
        flash(_("This confirmation link has expired. Ask for the change again from your account page."),
              "error")
    except (tokens.LinkInvalid, services.EmailTaken):
        flash(_("This confirmation link is not valid or was already used."), "error")
    else:
        db.session.commit()
        flash(_("Your e-mail address was changed."), "success")
    return redirect(url_for("accounts.account") if current_user.is_authenticated else url_for("accounts.login"))


@bp.post("/account/password")
@login_required
@limiter.limit(_login_limit)
def change_password():
    form = forms.ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        if not passwords.verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The password is incorrect."))
        else:
            problem = passwords.password_problem(form.password.data, current_user.email)
            if problem:
                form.password.errors.append(problem)
            else:
                services.set_password(current_user, form.password.data)
                db.session.commit()
                login_user(current_user._get_current_object())  # keep this session; the others are signed out
                flash(_("Your password was changed. Your other sessions were signed out."), "success")
                return redirect(url_for("accounts.account"))
    return _account_page(password_form=form), 422


@bp.get("/privacy")
def privacy_notice():
    return render_template("accounts/privacy.html")


@bp.get("/account/data")
@login_required
def download_data():
    data = privacy.export_zip(current_user)
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": "attachment; filename=mes-donnees-consult.zip",
                             "Cache-Control": "no-store"})


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = forms.DeleteAccountForm()
    if form.validate_on_submit():
        if not passwords.verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The password is incorrect."))
        else:
            privacy.delete_account(current_user._get_current_object())
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your account was deleted and your personal information erased. What you published "
                    "stays, shown as written by a former participant."), "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/delete.html", form=form), 422 if form.is_submitted() else 200
