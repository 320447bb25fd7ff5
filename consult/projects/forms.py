"""Forms of the clinical project. Choices that come from the database are filled by the view; every form
that edits an existing item carries its lock counter, so that a stale save can be refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from consult.projects.csv_import import parse_number
from consult.projects.models import (
    DECISION_LABELS,
    DETERMINANT_LABELS,
    DIMENSION_LABELS,
    MODEL_KIND_LABELS,
    PRIORITY_LABELS,
    PROJECT_STATUS_LABELS,
    PROVIDER_KIND_LABELS,
    Decision,
    Determinant,
    Dimension,
    Level3,
    ModelKind,
    ProjectStatus,
    ProviderKind,
)
from consult.territories.forms import one_line, optional_int


def multiline(value: str | None) -> str | None:
    """Keep line breaks, drop other control characters (PostgreSQL refuses NUL)."""
    if value is None:
        return None
    return "".join(ch for ch in value.replace("\r\n", "\n") if ch in "\n\t" or ord(ch) >= 32).strip()


def _required(message) -> list:
    return [DataRequired(message=message)]


def _text(label, message, limit: int = 300, description=None) -> StringField:
    return StringField(label, filters=[one_line], description=description, validators=[
        DataRequired(message=message), Length(max=limit, message=_l("At most %(max)d characters.", max=limit))])


def _optional_text(label, limit: int = 300, description=None) -> StringField:
    return StringField(label, filters=[one_line], description=description, validators=[
        Optional(), Length(max=limit, message=_l("At most %(max)d characters.", max=limit))])


def _long(label, description=None) -> TextAreaField:
    return TextAreaField(label, filters=[multiline], description=description, validators=[
        Optional(), Length(max=20_000, message=_l("At most 20,000 characters."))])


def _enum_select(label, enum_type, labels, message) -> SelectField:
    return SelectField(label, coerce=str, choices=[(e.value, labels[e]) for e in enum_type],
                       validators=[InputRequired(message=message)],
                       invalid_choice_message=_l("Choose from the list."))


def _many(label, description=None) -> SelectMultipleField:
    return SelectMultipleField(label, coerce=int, choices=[], description=description,
                               invalid_choice_message=_l("Choose from the list."),
                               render_kw={"size": 8})


AREAS_HINT = _l("Hold Ctrl (or Cmd) to choose several.")


class LockedForm(FlaskForm):
    lock_version = HiddenField()


class ProgrammeForm(FlaskForm):
    code = _text(_l("Code"), _l("Enter a short code, for example palv."), 40,
                 _l("Letters, digits and hyphens; used in addresses and exports."))
    name_fr = _text(_l("Name in French"), _l("Enter the French name."), 200)
    name_en = _text(_l("Name in English"), _l("Enter the English name."), 200)
    position = IntegerField(_l("Position in lists"), default=100,
                            validators=[InputRequired(message=_l("Enter a whole number.")),
                                        NumberRange(min=0, max=100_000, message=_l("Enter a whole number."))])
    active = BooleanField(_l("Offered when creating a project"), default=True)


class ProjectForm(LockedForm):
    establishment_id = SelectField(_l("Establishment"), coerce=optional_int,
                                   validators=[DataRequired(message=_l("Choose the establishment."))],
                                   invalid_choice_message=_l("Choose from the list."))
    programme_id = SelectField(_l("Programme-services"), coerce=optional_int,
                               validators=[DataRequired(message=_l("Choose the programme-services."))],
                               invalid_choice_message=_l("Choose from the list."))
    title = _text(_l("Title"), _l("Enter the title of the project."), 200)
    summary = _long(_l("Summary in plain language"),
                    _l("A few lines anyone can understand: what this project is for."))
    territory_ids = _many(_l("Territories covered"), AREAS_HINT)
    start_date = DateField(_l("Start of the period"), validators=[Optional()],
                           format="%Y-%m-%d")
    end_date = DateField(_l("End of the period"), validators=[Optional()], format="%Y-%m-%d")
    status = SelectField(_l("Status"), coerce=str, default=ProjectStatus.preparation.value,
                         choices=[(s.value, PROJECT_STATUS_LABELS[s])
                                                            for s in ProjectStatus],
                         invalid_choice_message=_l("Choose from the list."))


class StepSummaryForm(LockedForm):
    summary = _long(_l("Summary of this step in plain language"),
                    _l("Shown at the top of the published version. Markdown is accepted."))


class TransitionForm(LockedForm):
    action = HiddenField(validators=[DataRequired()])


class NeedForm(LockedForm):
    title = _text(_l("Title"), _l("Enter the title of the need."))
    description = _long(_l("Description"))
    population_groups = _optional_text(_l("Population groups"), 500,
                                       _l("Separated by commas, for example: seniors living alone, "
                                          "caregivers."))
    area_ids = _many(_l("Local areas"), AREAS_HINT)
    determinant = _enum_select(_l("Determinant category"), Determinant, DETERMINANT_LABELS,
                               _l("Choose a determinant category."))
    priority = _enum_select(_l("Priority"), Level3, PRIORITY_LABELS, _l("Choose a priority."))
    sources = _long(_l("Sources"), _l("Where this comes from: studies, data, consultations."))


class IndicatorForm(LockedForm):
    name = _text(_l("Name"), _l("Enter the name of the indicator."))
    unit = _text(_l("Unit"), _l("Enter the unit, for example % or persons."), 60)
    value = StringField(_l("Value"), filters=[one_line], validators=[DataRequired(message=_l("Enter the value."))],
                        description=_l("A decimal comma or point are both accepted."))
    year = IntegerField(_l("Year"), validators=[InputRequired(message=_l("Enter the year.")),
                                                NumberRange(min=1900, max=2100,
                                                            message=_l("A year between 1900 and 2100."))])
    territory_id = SelectField(_l("Territory"), coerce=optional_int,
                               validators=[DataRequired(message=_l("Choose the territory."))],
                               invalid_choice_message=_l("Choose from the list."))
    source = _optional_text(_l("Source"), 500)

    def validate_value(self, field) -> None:
        if parse_number(field.data or "") is None:
            raise ValidationError(_l("Enter a number, for example 12,5."))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))],
                     description=_l("Columns: name, unit, value, year, territory (a territory code) and "
                                    "optionally source. Semicolons or commas; decimal commas accepted; at most "
                                    "50,000 rows and 20 MB."))


class ServiceForm(LockedForm):
    name = _text(_l("Name"), _l("Enter the name of the service."))
    description = _long(_l("Description"))
    provider_id = SelectField(_l("Provider"), coerce=int, invalid_choice_message=_l("Choose from the list."),
                              description=_l("An organization's entry is shown to it to confirm, edit or "
                                             "decline."))
    provider_kind = _enum_select(_l("Provider kind"), ProviderKind, PROVIDER_KIND_LABELS,
                                 _l("Choose the provider kind."))
    programme_id = SelectField(_l("Programme-services"), coerce=optional_int,
                               invalid_choice_message=_l("Choose from the list."))
    area_ids = _many(_l("Local areas served"), AREAS_HINT)
    capacity = _optional_text(_l("Capacity"), 200, _l("For example: 40 people a week."))
    access_conditions = _long(_l("Access conditions"))
    languages = _optional_text(_l("Languages"), 200, _l("For example: French, English, Spanish."))
    need_ids = _many(_l("Needs it answers"), AREAS_HINT)


class RespondForm(LockedForm):
    answer = RadioField(_l("Your answer"), choices=[
        ("confirm", _l("Confirm this entry, with the changes below")),
        ("decline", _l("Do not list us"))],
        validators=[InputRequired(message=_l("Choose whether to confirm the entry or not to be listed."))])
    name = _text(_l("Name"), _l("Enter the name of the service."))
    description = _long(_l("Description"))
    capacity = _optional_text(_l("Capacity"), 200)
    access_conditions = _long(_l("Access conditions"))
    languages = _optional_text(_l("Languages"), 200)


class GapForm(LockedForm):
    title = _text(_l("Title"), _l("Enter the title of the gap."))
    description = _long(_l("Description"))
    need_id = SelectField(_l("Need"), coerce=optional_int, validators=[DataRequired(message=_l("Choose the need."))],
                          invalid_choice_message=_l("Choose from the list."))
    service_ids = _many(_l("Resources involved"), AREAS_HINT)
    dimension = _enum_select(_l("Dimension"), Dimension, DIMENSION_LABELS, _l("Choose a dimension."))
    severity = _enum_select(_l("Severity"), Level3, PRIORITY_LABELS, _l("Choose a severity."))
    evidence = _long(_l("Evidence"))
    area_ids = _many(_l("Local areas"), AREAS_HINT)


class ModelForm(LockedForm):
    kind = _enum_select(_l("Kind"), ModelKind, MODEL_KIND_LABELS, _l("Choose keep or add."))
    name = _text(_l("Name"), _l("Enter the name of the model."))
    description = _long(_l("Description"))
    partner_ids = _many(_l("Partners involved"), AREAS_HINT)
    origin = _optional_text(_l("Origin"), 500, _l("For example: first developed by a community organization."))
    gap_ids = _many(_l("Gaps addressed"), AREAS_HINT)
    evidence = _long(_l("Evidence"))
    decision = _enum_select(_l("Decision"), Decision, DECISION_LABELS, _l("Choose a decision."))
    decision_reason = _long(_l("Reason for the decision"), _l("Required when the model is set aside."))

    def validate_decision_reason(self, field) -> None:
        if self.decision.data == Decision.set_aside.value and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason why this model is set aside."))


class OfferForm(LockedForm):
    name = _text(_l("Name"), _l("Enter the name of the offer element."))
    description = _long(_l("Description"))
    gap_ids = _many(_l("Gaps it answers"), AREAS_HINT)
    model_ids = _many(_l("Models it answers"), AREAS_HINT)
    provider_ids = _many(_l("Providers"), AREAS_HINT)


class ResponsibilityForm(LockedForm):
    description = _text(_l("Responsibility"), _l("Describe the responsibility."))
    offer_element_id = SelectField(_l("Offer element"), coerce=optional_int,
                                   validators=[DataRequired(message=_l("Choose the offer element."))],
                                   invalid_choice_message=_l("Choose from the list."))
    decides = _many(_l("Decides"), AREAS_HINT)
    carries_out = _many(_l("Carries out"), AREAS_HINT)
    consulted = _many(_l("Is consulted"), AREAS_HINT)
    informed = _many(_l("Is informed"), AREAS_HINT)


class ProposalForm(FlaskForm):
    parameter = HiddenField(validators=[DataRequired()])
    based_on = HiddenField()
    action = RadioField(_l("What you do"), choices=[
        ("amend", _l("Propose or amend the text")), ("accept", _l("Accept the current version"))],
        default="amend", validators=[InputRequired(message=_l("Choose what you do."))])
    text = _long(_l("Text"), _l("Leave empty when you accept the current version."))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search this project"), filters=[one_line],
                    validators=[Optional(), Length(max=200, message=_l("Use at most 200 characters."))])


FORMS = {"need": NeedForm, "indicator": IndicatorForm, "service": ServiceForm, "gap": GapForm,
         "model": ModelForm, "offer": OfferForm, "responsibility": ResponsibilityForm}
