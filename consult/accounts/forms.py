from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from consult.accounts.passwords import password_problem

LANG_CHOICES = [("fr", "Français"), ("en", "English")]


def _email_field(label=None):
    return EmailField(label or _l("E-mail address"), validators=[
        DataRequired(message=_l("Enter your e-mail address.")),
        Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        Email(message=_l("Enter a valid e-mail address, such as nom@exemple.ca."), check_deliverability=False),
    ], render_kw={"autocomplete": "email"})


class _NewPassword:
    """Checks the policy; looks for an e-mail field on the form so it is not reused as the password."""

    def __call__(self, form, field):
        email = getattr(getattr(form, "email", None), "data", None)
        problem = password_problem(field.data or "", email)
        if problem:
            raise ValidationError(problem)


def _new_password_field(label=None):
    return PasswordField(label or _l("Password"), validators=[
        DataRequired(message=_l("Choose a password.")), _NewPassword()],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 12 characters. A short sentence is easy to remember and hard to guess."))


class RegisterForm(FlaskForm):
    email = _email_field()
    display_name = StringField(_l("Name shown with what you publish (optional)"), validators=[
        Optional(), Length(max=120, message=_l("Use at most 120 characters."))],
        render_kw={"autocomplete": "nickname"})
    password = _new_password_field()
    language = RadioField(_l("Language"), choices=LANG_CHOICES, default="fr")
    accept_privacy = BooleanField(_l("I have read the privacy notice and agree to the use of my information "
                                     "described there."),
                                  validators=[DataRequired(message=_l("You must accept the privacy notice to "
                                                                      "create an account."))])


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password.")),
                                                        Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(_l("New password"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name shown with what you publish"), validators=[
        Optional(), Length(max=120, message=_l("Use at most 120 characters."))])
    language = RadioField(_l("Language"), choices=LANG_CHOICES)


class ChangeEmailForm(FlaskForm):
    email = _email_field(_l("New e-mail address"))
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"})
    password = _new_password_field(_l("New password"))


class DeleteAccountForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"})
    confirm = BooleanField(_l("I understand that my account and personal information will be erased."),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that post."""
