"""Forms of the equity lens: putting a tag on an input, deciding on a tag, a local tag of the taxonomy,
retiring it, and a project's population rule."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from consult.equity.models import JUSTIFICATION_MAX
from consult.equity.services import DECISIONS, clean_text
from consult.equity.taxonomy import LOCAL_GROUP_LABELS, TagInfo


def _clean(value: str | None) -> str | None:
    return clean_text(value) if value is not None else None


class TagForm(FlaskForm):
    """Put a tag on an input. Choices: the tags the input's establishment offers, grouped in the label."""

    tag = SelectField(_l("Tag"), validators=[InputRequired(message=_l("Choose a tag."))],
                      validate_choice=True, invalid_choice_message=_l("Choose a tag of the list."))
    justification = TextAreaField(
        _l("Why this tag (optional)"),
        description=_l("A sentence saying what in the input speaks of it. At most %(max)d characters.",
                       max=JUSTIFICATION_MAX),
        filters=[_clean],
        validators=[Optional(), Length(max=JUSTIFICATION_MAX, message=_l(
            "Use at most %(max)d characters for the justification.", max=JUSTIFICATION_MAX))])

    def offer(self, tags: list[TagInfo]) -> None:
        self.tag.choices = [("", _l("Choose a tag"))] + [
            (info.key, f"{info.group_label} — {info.label}") for info in tags]


class DecisionForm(FlaskForm):
    """Confirm or reject one tag (the buttons carry the decision)."""

    tag_id = IntegerField(validators=[InputRequired(message=_l("This tag could not be found."))])
    decision = HiddenField(validators=[AnyOf(DECISIONS, message=_l("Choose whether to confirm or reject the tag."))])
    justification = TextAreaField(
        _l("Why (optional)"), filters=[_clean],
        validators=[Optional(), Length(max=JUSTIFICATION_MAX, message=_l(
            "Use at most %(max)d characters for the justification.", max=JUSTIFICATION_MAX))])


class LocalTagForm(FlaskForm):
    group = SelectField(_l("Where it belongs"), choices=[(g.value, label) for g, label in LOCAL_GROUP_LABELS.items()],
                        validators=[InputRequired(message=_l("Choose where the tag belongs."))],
                        invalid_choice_message=_l("Choose one of the options."))
    list_name = StringField(_l("Name of the code list"), filters=[_clean],
                            description=_l("For a code list of the establishment: the list's name, shown with "
                                           "its tags (e.g. \"Priority neighbourhoods\")."),
                            validators=[Optional(), Length(max=120, message=_l("Use at most 120 characters."))])
    label_fr = StringField(_l("Label in French"), filters=[_clean], validators=[
        DataRequired(message=_l("Give the tag a French label.")),
        Length(max=120, message=_l("Use at most 120 characters."))])
    label_en = StringField(_l("Label in English"), filters=[_clean],
                           description=_l("Leave empty to show the French label to English readers too."),
                           validators=[Optional(), Length(max=120, message=_l("Use at most 120 characters."))])
    code = StringField(_l("Code (optional)"), filters=[_clean],
                       description=_l("A short code of your own; made from the French label when left empty."),
                       validators=[Optional(), Length(max=40, message=_l("Use at most 40 characters."))])
    keywords_fr = TextAreaField(_l("French keywords for suggestions (optional)"), filters=[_clean],
                                description=_l("Separated by commas. A word ending in * matches every word it "
                                               "starts: \"aidant*\" matches aidante and aidants."),
                                validators=[Optional(), Length(max=2000, message=_l("Use at most 2000 characters."))])
    keywords_en = TextAreaField(_l("English keywords for suggestions (optional)"), filters=[_clean],
                                validators=[Optional(), Length(max=2000, message=_l("Use at most 2000 characters."))])


class RetireForm(FlaskForm):
    tag_id = IntegerField(validators=[InputRequired(message=_l("This tag could not be found."))])
    action = HiddenField(validators=[AnyOf(("retire", "reinstate"), message=_l("Choose retire or reinstate."))])


class SettingsForm(FlaskForm):
    population_keyword = StringField(
        _l("Word that names population figures"), filters=[_clean],
        description=_l("An indicator of the needs portrait is a population figure when its name holds this word "
                       "and its unit is a count, not a rate. Usually \"population\"."),
        validators=[DataRequired(message=_l("Give the word that names population figures.")),
                    Length(max=60, message=_l("Use at most 60 characters."))])
    threshold = StringField(
        _l("Under-representation threshold"), filters=[_clean],
        description=_l("A group is under-represented when its share of participants is below this fraction of its "
                       "share of the population (0.5: less than half)."),
        validators=[InputRequired(message=_l("Give a number between 0.05 and 1."))])

    def validate_threshold(self, field) -> None:
        if self.threshold_value() is None:
            raise ValidationError(_l("Give a number between 0.05 and 1, such as 0.5 or 0,5."))

    def threshold_value(self) -> float | None:
        """The threshold read with a dot or a comma as decimal mark; None unless between 0.05 and 1."""
        try:
            value = float((self.threshold.data or "").replace(",", ".").replace(" ", ""))
        except ValueError:
            return None
        return value if 0.05 <= value <= 1 else None
