"""Forms: report content (reason and an optional note), and a moderator's decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from consult.moderation.models import FLAG_REASON_LABELS, Decision, FlagReason
from consult.projects.forms import multiline

NOTE_MAX = 1000
REASON_MAX = 500


class FlagForm(FlaskForm):
    reason = RadioField(_l("Why should moderators look at this?"),
                        choices=[(reason.value, label) for reason, label in FLAG_REASON_LABELS.items()],
                        validators=[DataRequired(message=_l("Choose a reason."))])
    note = TextAreaField(_l("Anything moderators should know (optional)"), filters=[multiline],
                         description=_l("Only moderators read this note."),
                         validators=[Optional(), Length(max=NOTE_MAX, message=_l(
                             "Use at most %(max)d characters.", max=NOTE_MAX))])
    next = HiddenField()

    @property
    def reason_value(self) -> FlagReason:
        return FlagReason(self.reason.data)


class DecisionForm(FlaskForm):
    decision = HiddenField(validators=[AnyOf([d.value for d in Decision],
                                             message=_l("Choose hide, restore or dismiss."))])
    public_reason = TextAreaField(
        _l("Public reason"), filters=[multiline],
        description=_l("Shown to readers in place of the content, and sent to its author. Say which rule "
                       "it breaks, without repeating what it said."),
        validators=[Length(max=REASON_MAX, message=_l("Use at most %(max)d characters.", max=REASON_MAX))])
    note = TextAreaField(_l("Note for the other moderators (optional)"), filters=[multiline],
                         validators=[Optional(), Length(max=NOTE_MAX, message=_l(
                             "Use at most %(max)d characters.", max=NOTE_MAX))])
    next = HiddenField()

    def validate_public_reason(self, field) -> None:
        if self.decision.data == Decision.hide.value and not (field.data or "").strip():
            raise ValidationError(_l("Give the public reason shown to readers in place of the content."))

    @property
    def decision_value(self) -> Decision:
        return Decision(self.decision.data)
