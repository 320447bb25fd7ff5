"""Forms of briefs. Choices that come from the database (organizations, items) are filled by the view."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from consult.organizations.forms import multi_line
from consult.participation.models import BRIEF_VISIBILITY_LABELS, STANCE_LABELS, BriefVisibility, Stance
from consult.territories.forms import one_line

TITLE_MAX = 300
SUMMARY_MAX = 3000
BODY_MAX = 200_000
POSITION_MAX = 5000
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
# Ids fit a database integer: a number past it is refused by the form, never sent to the database.
_ID = NumberRange(min=1, max=2**31 - 1, message=_l("The form expired. Please reload the page and send it again."))

# For choices outside the list (a hand-edited form): WTForms' own wording would not be translated.
_FROM_LIST = {"invalid_value_message": _l("Choose one of the options."),
              "invalid_choice_message": _l("Choose one of the options.")}


def _enum(kind):
    def coerce(value):
        if value is None or value == "" or isinstance(value, kind):
            return value or None
        return kind(value)

    return coerce


def _int_or_none(value):
    if value is None or value == "" or isinstance(value, int):
        return value if value != "" else None
    return int(value)


class TokenCheck:
    def __call__(self, form, field) -> None:
        if not field.data or not TOKEN.fullmatch(field.data):
            raise ValidationError(_l("The form expired. Please reload the page and send it again."))


def _title() -> StringField:
    return StringField(_l("Title of the brief"), filters=[one_line], validators=[
        DataRequired(message=_l("Give the brief a title.")),
        Length(max=TITLE_MAX, message=_l("A title has at most %(max)d characters.", max=TITLE_MAX))],
        description=_l("You can change it until you submit the brief."))


class NewBriefForm(FlaskForm):
    organization_id = SelectField(_l("Organization"), coerce=_int_or_none, **_FROM_LIST,
                                  validators=[InputRequired(message=_l("Choose the organization the brief "
                                                                       "speaks for."))],
                                  description=_l("The brief speaks for this organization."))
    title = _title()
    # One token per form shown: sending the same form twice (a double click) lands on the same draft.
    form_token = HiddenField(_l("Form"), validators=[TokenCheck()])


class BriefForm(FlaskForm):
    title = _title()
    summary = TextAreaField(_l("Summary"), filters=[multi_line], validators=[
        Optional(), Length(max=SUMMARY_MAX, message=_l("A summary has at most %(max)d characters.",
                                                       max=SUMMARY_MAX))],
        description=_l("A few plain sentences: what the organization asks for and why."))
    body = TextAreaField(_l("Text of the brief"), filters=[multi_line], validators=[
        Optional(), Length(max=BODY_MAX, message=_l("The text has at most %(max)d characters. Attach a "
                                                    "document for anything longer.", max=BODY_MAX))],
        description=_l("Markdown is accepted: *italics*, **bold**, lists with -, headings with ###. HTML is "
                       "shown as text."))
    visibility = RadioField(
        _l("Who may read the brief"), coerce=_enum(BriefVisibility), **_FROM_LIST,
        choices=[SelectChoice(v.value, label) for v, label in BRIEF_VISIBILITY_LABELS.items()],
        validators=[InputRequired(message=_l("Choose who may read the brief."))],
        description=_l("Until the round closes, only the establishment reads submitted briefs. After, a public "
                       "brief is published with the round; a confidential one stays with the establishment."))
    # The version of the brief the form was filled from: two representatives editing at once do not
    # overwrite each other silently.
    lock_version = IntegerField(widget=HiddenField.widget, validators=[Optional(), _ID])


class PositionForm(FlaskForm):
    item = SelectField(_l("Item in consultation"), **_FROM_LIST, validators=[
        DataRequired(message=_l("Choose the item the position is about."))],
        description=_l("A need, a gap, a clinical model or an element of the service offer. One position per "
                       "item: a new one replaces the earlier one."))
    stance = RadioField(_l("Position"), coerce=_enum(Stance), **_FROM_LIST,
                        choices=[SelectChoice(s.value, label) for s, label in STANCE_LABELS.items()],
                        validators=[InputRequired(message=_l("Choose support, oppose or amend."))])
    text = TextAreaField(_l("Explanation or wording asked for"), filters=[multi_line], validators=[
        Optional(), Length(max=POSITION_MAX, message=_l("At most %(max)d characters.", max=POSITION_MAX))],
        description=_l("Required to amend: write the wording you ask for. Optional otherwise."))

    def validate_text(self, field) -> None:
        if self.stance.data is Stance.amend and not (field.data or "").strip():
            raise ValidationError(_l("Write the wording you ask for: an amendment needs its text."))

    def item_key(self) -> tuple[int, str] | None:
        version, _, uid = (self.item.data or "").partition(":")
        return (int(version), uid) if version.isdigit() and uid else None


class AttachmentForm(FlaskForm):
    file = FileField(_l("Document to attach"), validators=[
        FileRequired(message=_l("Choose a PDF, DOCX or ODT document to attach."))],
        description=_l("PDF, DOCX or ODT. One document at a time."))


class CosignerForm(FlaskForm):
    organization_id = IntegerField(widget=HiddenField.widget, validators=[
        InputRequired(message=_l("Choose the organization to ask.")), _ID])


class CosignAnswerForm(FlaskForm):
    cosigner_id = IntegerField(widget=HiddenField.widget, validators=[
        InputRequired(message=_l("The form expired. Please reload the page and send it again.")), _ID])
    answer = HiddenField(validators=[InputRequired(message=_l("Choose to confirm or decline."))])

    def validate_answer(self, field) -> None:
        if field.data not in ("confirm", "decline"):
            raise ValidationError(_l("Choose to confirm or decline."))


class CosignerSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    find = StringField(_l("Find an organization"), filters=[one_line], validators=[
        Optional(), Length(max=200, message=_l("Use at most 200 characters."))])
