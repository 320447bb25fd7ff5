"""Forms of the territory tree and of establishments. Choices are filled by the view from the database."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from consult.territories.models import LEVEL_LABELS, Level, TerritoryNode


def one_line(value: str | None) -> str | None:
    """Composed Unicode on one line: control characters (NUL, escapes, line breaks) go, runs of
    spaces become one. PostgreSQL refuses NUL in text, and a name is never meant to hold a line break."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value)
    return " ".join(value.split())


def optional_int(value: object) -> int | None:
    """"" (nothing chosen) is None; anything else must be a whole number."""
    if value is None or value == "":
        return None
    return int(value)  # type: ignore[arg-type]


def node_label(node: TerritoryNode) -> str:
    return f"{node.code} — {node.name}"


def grouped_choices(nodes: list[TerritoryNode], empty: str | None = None) -> list[SelectChoice]:
    """Options grouped by level (one <optgroup> each), in the order the levels go down the tree."""
    choices = [SelectChoice("", empty)] if empty is not None else []
    for level in Level:
        choices += [SelectChoice(str(n.id), node_label(n), optgroup=str(LEVEL_LABELS[level]))
                    for n in nodes if n.level is level]
    return choices


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by code or name"), filters=[one_line],
                    validators=[Optional(), Length(max=200, message=_l("Use at most 200 characters."))])


class TerritoryNodeForm(FlaskForm):
    level = SelectField(_l("Level"), coerce=Level,
                        choices=[SelectChoice(lvl.value, label) for lvl, label in LEVEL_LABELS.items()],
                        invalid_value_message=_l("Choose a level from the list."),
                        invalid_choice_message=_l("Choose a level from the list."),
                        validators=[InputRequired(message=_l("Choose a level."))])
    parent_id = SelectField(_l("Parent territory"), coerce=optional_int,
                            invalid_value_message=_l("Choose a parent territory from the list."),
                            invalid_choice_message=_l("Choose a parent territory from the list."),
                            description=_l("Leave empty for an administrative region. An RLS goes under a "
                                           "region, a CLSC territory under an RLS, a municipality or a "
                                           "neighbourhood under a CLSC territory."))
    code = StringField(_l("Code"), filters=[one_line], validators=[
        DataRequired(message=_l("Enter the code.")),
        Length(max=20, message=_l("A code has at most 20 characters."))],
        description=_l("Region: 2 digits (06). RLS: the region's code and 2 digits (0611). CLSC territory: "
                       "the RLS's code and 1 digit (06111). Municipality: its 5-digit geographic code "
                       "(66023). Neighbourhood: letters, digits or hyphens (06111-01)."))
    name = StringField(_l("Name"), filters=[one_line], validators=[
        DataRequired(message=_l("Enter the name.")),
        Length(max=200, message=_l("A name has at most 200 characters."))])


class EstablishmentForm(FlaskForm):
    name = StringField(_l("Name"), filters=[one_line], validators=[
        DataRequired(message=_l("Enter the name of the establishment.")),
        Length(max=200, message=_l("A name has at most 200 characters."))])
    kind = StringField(_l("Type of establishment"), filters=[one_line], validators=[
        DataRequired(message=_l("Enter the type of establishment, for example CSSS.")),
        Length(max=40, message=_l("A type has at most 40 characters."))],
        description=_l("For example CSSS, CISSS or CIUSSS; any other name the network uses is accepted."),
        render_kw={"list": "establishment-kinds", "autocomplete": "off"})
    region_id = SelectField(_l("Administrative region"), coerce=optional_int,
                            invalid_value_message=_l("Choose a region from the list."),
                            invalid_choice_message=_l("Choose a region from the list."),
                            validators=[DataRequired(message=_l("Choose the administrative region of the "
                                                                "establishment."))])
    territory_ids = SelectMultipleField(
        _l("Territories served"), coerce=int,
        invalid_value_message=_l("Choose territories from the list."),
        invalid_choice_message=_l("Choose territories from the list."),
        description=_l("The RLS and CLSC territories the establishment serves, in its region. Hold Ctrl "
                       "(or Cmd) to choose several."),
        render_kw={"size": 10})
    formed_voluntarily = BooleanField(_l("Formed voluntarily by its members rather than by decree"))
