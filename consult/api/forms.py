"""The form of the account page that creates a personal API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from consult.api.models import SCOPE_LABELS, SCOPE_MEANINGS, Scope
from consult.api.tokens import NAME_MAX
from consult.territories.forms import one_line

# Days a token stays valid; "" is never (until revoked).
LIFETIMES = ("30", "90", "365", "")


def _lifetime_choices() -> list[SelectChoice]:
    labels = {"30": _l("30 days"), "90": _l("90 days"), "365": _l("One year"), "": _l("No expiry (until revoked)")}
    return [SelectChoice(value, labels[value]) for value in LIFETIMES]


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the token"), filters=[one_line], validators=[
        DataRequired(message=_l("Name the token, for example after the script that uses it.")),
        Length(max=NAME_MAX, message=_l("A name has at most %(max)d characters.", max=NAME_MAX))],
        description=_l("To recognise it in this list, e.g. “Dashboard of the regional agency”."))
    scope = RadioField(
        _l("What it may do"), default=Scope.read.value,
        choices=[SelectChoice(s.value, f"{SCOPE_LABELS[s]} — {SCOPE_MEANINGS[s]}") for s in Scope],
        validators=[InputRequired(message=_l("Choose what the token may do."))],
        invalid_choice_message=_l("Choose one of the options."))
    lifetime = SelectField(_l("Valid for"), default="90", choices=_lifetime_choices(),
                           invalid_choice_message=_l("Choose one of the options."),
                           description=_l("A token that expires limits the harm if it leaks."))
