from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from consult.accounts.models import ESTABLISHMENT_ROLE_LABELS


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by e-mail or name"), validators=[Optional(), Length(max=254)])


class GrantRoleForm(FlaskForm):
    establishment_id = SelectField(_l("Establishment"), coerce=int,
                                   validators=[DataRequired(message=_l("Choose an establishment."))])
    role = SelectField(_l("Role"), choices=[(k.value, v) for k, v in ESTABLISHMENT_ROLE_LABELS.items()],
                       validators=[DataRequired(message=_l("Choose a role."))])
