"""Forms for comments, proposed needs, the planner's decision on a proposed need, and the participant
profile. Choices from the database (local areas) are filled by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from consult.organizations.forms import multi_line
from consult.participation.models import ParticipantProfile
from consult.projects.models import DETERMINANT_LABELS, PRIORITY_LABELS, Determinant, Level3
from consult.territories.forms import one_line, optional_int

BODY_MAX = 5000
TITLE_MAX = 300


def _body_field(label) -> TextAreaField:
    return TextAreaField(label, filters=[multi_line], validators=[
        DataRequired(message=_l("Write your comment.")),
        Length(max=BODY_MAX, message=_l("A comment has at most %(max)d characters.", max=BODY_MAX))],
        description=_l("Plain text, up to %(max)d characters. Leave an empty line between paragraphs.",
                       max=BODY_MAX))


class CommentForm(FlaskForm):
    body = _body_field(_l("Your comment"))


class ReplyForm(FlaskForm):
    body = _body_field(_l("Your reply"))


class EditCommentForm(FlaskForm):
    body = _body_field(_l("Text of your comment"))


def _choices(labels: dict, empty: str | None = None) -> list[SelectChoice]:
    found = [SelectChoice(str(key.value if hasattr(key, "value") else key), label) for key, label in labels.items()]
    return [SelectChoice("", empty), *found] if empty is not None else found


class ProposedNeedForm(FlaskForm):
    title = StringField(_l("The missing need"), filters=[one_line], validators=[
        DataRequired(message=_l("Name the need in a few words.")),
        Length(max=TITLE_MAX, message=_l("A title has at most %(max)d characters.", max=TITLE_MAX))],
        description=_l("In a few words, e.g. “Respite for caregivers in the evening”."))
    description = TextAreaField(_l("Description"), filters=[multi_line], validators=[
        DataRequired(message=_l("Describe the need: who has it, and what is missing today.")),
        Length(max=BODY_MAX, message=_l("A description has at most %(max)d characters.", max=BODY_MAX))],
        description=_l("Who has this need, where, and what is missing today. Plain text."))
    area_id = SelectField(_l("Local area"), coerce=optional_int, validators=[Optional()],
                          invalid_value_message=_l("Choose a local area from the list."),
                          invalid_choice_message=_l("Choose a local area from the list."),
                          description=_l("Optional: where this need is felt most."))


class AcceptProposedNeedForm(FlaskForm):
    determinant = SelectField(_l("Determinant category"), coerce=Determinant,
                              choices=_choices(DETERMINANT_LABELS), default=Determinant.other.value,
                              invalid_value_message=_l("Choose a category from the list."),
                              invalid_choice_message=_l("Choose a category from the list."),
                              validators=[InputRequired(message=_l("Choose a category."))])
    priority = SelectField(_l("Priority"), coerce=Level3, choices=_choices(PRIORITY_LABELS),
                           default=Level3.medium.value,
                           invalid_value_message=_l("Choose a priority from the list."),
                           invalid_choice_message=_l("Choose a priority from the list."),
                           validators=[InputRequired(message=_l("Choose a priority."))])


def _optional_choice(labels: dict, label, message) -> SelectField:
    return SelectField(label, choices=_choices(labels, _l("Not given")), default="",
                       validators=[Optional()], invalid_choice_message=message)


class ProfileForm(FlaskForm):
    consent = BooleanField(
        _l("I agree that these answers be used, without my name, only in aggregate counts."),
        validators=[DataRequired(message=_l("Tick the box to give your consent, or leave this page: nothing "
                                            "is kept without it."))])
    age_band = _optional_choice(ParticipantProfile.AGE_BANDS, _l("Age group"),
                                _l("Choose an age group from the list."))
    gender = _optional_choice(ParticipantProfile.GENDERS, _l("Gender"), _l("Choose an answer from the list."))
    area_id = SelectField(_l("Local area where you live"), coerce=optional_int, validators=[Optional()],
                          invalid_value_message=_l("Choose a local area from the list."),
                          invalid_choice_message=_l("Choose a local area from the list."))
    population_group = _optional_choice(ParticipantProfile.POPULATION_GROUPS,
                                        _l("Population group you identify with"),
                                        _l("Choose a group from the list."))
