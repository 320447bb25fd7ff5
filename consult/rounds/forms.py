"""Forms of consultation rounds. Date-times are typed in Montréal local time (the view converts them to
UTC); the versions in consultation and the organizations to invite are filled in by the view. Every form
that changes a round carries its lock counter, so that a stale save is refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from consult.projects.forms import multiline
from consult.rounds.models import (
    AUDIENCE_LABELS,
    PARTICIPATION_LEVEL_LABELS,
    PARTICIPATION_LEVEL_MEANINGS,
    Audience,
    ParticipationLevel,
)
from consult.territories.forms import one_line

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
LOCAL_HINT = _l("Montréal time (America/Montreal), for example 2026-10-01 09:00.")


def _reasonable_year(_form, field) -> None:
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Enter a year between 2000 and 2100."))


def _local(label, message) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=LOCAL_FORMATS, description=LOCAL_HINT,
                              validators=[InputRequired(message=message), _reasonable_year],
                              invalid_value_message=_l("Enter a date and time such as 2026-10-01 09:00."))


class _Choice:
    """A choice label that joins a lazy label and its meaning when rendered, in the page's language."""

    def __init__(self, label, meaning) -> None:
        self.label, self.meaning = label, meaning

    def __str__(self) -> str:
        return f"{self.label} — {self.meaning}"

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


class LockedForm(FlaskForm):
    lock_version = HiddenField()


def _radio(label, choices, default, message, description=None) -> RadioField:
    return RadioField(label, choices=choices, default=default, description=description,
                      validators=[InputRequired(message=message)], invalid_choice_message=message)


class RoundForm(LockedForm):
    title = StringField(_l("Title"), filters=[one_line], validators=[
        DataRequired(message=_l("Enter the title of the round.")),
        Length(max=200, message=_l("At most %(max)d characters.", max=200))])
    mandate = TextAreaField(_l("Mandate"), filters=[multiline], description=_l(
        "What is asked, what is decided elsewhere, and what the establishment commits to do with what it hears. "
        "Markdown is accepted. Required before scheduling."), validators=[
        Optional(), Length(max=20_000, message=_l("At most 20,000 characters."))])
    participation_level = _radio(
        _l("Participation level"),
        [(level.value, _Choice(PARTICIPATION_LEVEL_LABELS[level], PARTICIPATION_LEVEL_MEANINGS[level]))
         for level in ParticipationLevel],
        ParticipationLevel.consultation.value, _l("Choose the participation level."),
        _l("How much say participants have. It is shown at the top of every page of the round."))
    budgets_in_scope = _radio(
        _l("Are budgets in scope?"),
        [("no", _l("No: budgets are decided elsewhere; this round does not change them.")),
         ("yes", _l("Yes: what participants say may change how money is spent."))],
        "no", _l("Say whether budgets are in scope."))
    audience = _radio(_l("Audience"), [(audience.value, AUDIENCE_LABELS[audience]) for audience in Audience],
                      Audience.both.value, _l("Choose who is invited to take part."))
    opens_at = _local(_l("Opening"), _l("Enter the opening date and time."))
    closes_at = _local(_l("Closing"), _l("Enter the closing date and time."))
    version_ids = SelectMultipleField(_l("Versions in consultation"), coerce=int, choices=[],
                                      widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                      description=_l("Choose among the published versions, one per step. By "
                                                     "default, the latest version of each step."),
                                      invalid_choice_message=_l("Choose among the published versions."))


class QuestionForm(FlaskForm):
    step_number = SelectField(_l("Step"), coerce=int, choices=[],
                              validators=[InputRequired(message=_l("Choose the step the question is about."))],
                              invalid_choice_message=_l("Choose a step in consultation in this round."))
    text = TextAreaField(_l("Question"), filters=[multiline], validators=[
        DataRequired(message=_l("Write the question.")),
        Length(max=1000, message=_l("At most %(max)d characters.", max=1000))])


class EditQuestionForm(FlaskForm):
    text = TextAreaField(_l("Question"), filters=[multiline], validators=[
        DataRequired(message=_l("Write the question.")),
        Length(max=1000, message=_l("At most %(max)d characters.", max=1000))])


class TransitionForm(LockedForm):
    action = HiddenField(validators=[DataRequired()])


class ExtendForm(LockedForm):
    closes_at = _local(_l("New closing"), _l("Enter the new closing date and time."))
    reason = TextAreaField(_l("Reason (optional, shown in the history)"), filters=[multiline], validators=[
        Optional(), Length(max=2000, message=_l("At most %(max)d characters.", max=2000))])


class InviteForm(FlaskForm):
    organization_ids = SelectMultipleField(_l("Organizations to invite"), coerce=int, choices=[],
                                           validate_choice=False)


class AnswerForm(FlaskForm):
    answer = HiddenField(validators=[DataRequired(message=_l("Choose an answer."))])
    reason = TextAreaField(_l("Reason (optional, shown with the list)"), filters=[multiline], validators=[
        Optional(), Length(max=2000, message=_l("At most %(max)d characters.", max=2000))])
