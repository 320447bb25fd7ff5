"""The answer form and the filters of the answer queue and of "What we heard, what we did"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from consult.participation.answers.queries import KIND_PLURALS, Filters
from consult.participation.answers.services import REASON_MAX, clean_reason
from consult.participation.models import OUTCOME_LABELS, InputKind, Outcome

STATUS_LABELS = {"unanswered": _l("Not answered yet"), "answered": _l("Answered")}


def _outcome(value):
    if value is None or value == "" or isinstance(value, Outcome):
        return value or None
    return Outcome(value)


class ReasonText:
    """Required, and 1..REASON_MAX characters once cleaned (control characters do not count)."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        text = clean_reason(field.data)
        if not text:
            raise ValidationError(_l("Give the reason for this answer: it is what the author will read."))
        if len(text) > REASON_MAX:
            raise ValidationError(_l("Use at most %(max)d characters for the reason (now %(count)d).",
                                     max=REASON_MAX, count=len(text)))


class AnswerForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"), coerce=_outcome,
        choices=[(outcome.value, label) for outcome, label in OUTCOME_LABELS.items()],
        validators=[InputRequired(message=_l("Choose what the establishment does with this input."))],
        invalid_value_message=_l("Choose one of the options."), invalid_choice_message=_l("Choose one of the options."))
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Plain text, in words the author will understand: what was retained, what was not, "
                       "and why. At most %(max)d characters.", max=REASON_MAX),
        filters=[clean_reason], validators=[ReasonText()])


def _lenient(read):
    """A filter value that does not fit means "no filter" rather than an error page."""

    def coerce(value):
        try:
            return read(value)
        except (ValueError, TypeError):
            return None

    return coerce


def _status(value):
    return value if value in STATUS_LABELS else None


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    kind = SelectField(_l("Kind of input"), coerce=_lenient(lambda v: InputKind(v) if v else None),
                       validate_choice=False)
    status = SelectField(_l("Answer"), coerce=_status, validate_choice=False)
    outcome = SelectField(_l("Outcome"), coerce=_lenient(_outcome), validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice("", _l("All kinds")),
                             *(SelectChoice(k.value, label) for k, label in KIND_PLURALS.items())]
        self.status.choices = [SelectChoice("", _l("Answered or not")),
                               *(SelectChoice(k, label) for k, label in STATUS_LABELS.items())]
        self.outcome.choices = [SelectChoice("", _l("All outcomes")),
                                *(SelectChoice(o.value, label) for o, label in OUTCOME_LABELS.items())]

    def filters(self) -> Filters:
        return Filters(kind=self.kind.data, status=self.status.data, outcome=self.outcome.data)
