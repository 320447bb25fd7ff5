"""Forms of the theme review. Limits match `consult.summaries.review`, which checks them again: the form gives
the message next to the field, the service keeps the rule whoever calls it.

Lists of themes and quotes are filled in by the view; they are not checked against those choices here, so
that a theme a colleague merged meanwhile gets the service's clear message rather than "not a valid choice".
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from consult.projects.forms import multiline
from consult.summaries.review import DESCRIPTION_MAX, EXAMPLE_MAX, EXAMPLES_MAX, LABEL_MAX
from consult.territories.forms import one_line, optional_int


def _label() -> StringField:
    return StringField(_l("Label"), filters=[one_line], description=_l(
        "A few words that name the theme, as readers of the summary will see it."), validators=[
        DataRequired(message=_l("Enter the theme's label.")),
        Length(max=LABEL_MAX, message=_l("The label is too long: at most %(max)d characters.", max=LABEL_MAX))])


def _description() -> TextAreaField:
    return TextAreaField(_l("Description (optional)"), filters=[multiline], description=_l(
        "What the theme covers and what it does not. The assignment reads it too."), validators=[
        Length(max=DESCRIPTION_MAX, message=_l("The description is too long: at most %(max)d characters.",
                                               max=DESCRIPTION_MAX))])


class _Checkboxes(SelectMultipleField):
    """Checkboxes of ids; an empty choice is simply no choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def example_lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _examples_fit(_form, field) -> None:
    lines = example_lines(field.data)
    if len(lines) > EXAMPLES_MAX:
        raise ValidationError(_l("At most %(max)d examples per theme (there are %(n)d).", max=EXAMPLES_MAX,
                                 n=len(lines)))
    for number, line in enumerate(lines, start=1):
        if len(line) > EXAMPLE_MAX:
            raise ValidationError(_l("Example %(number)d is too long: at most %(max)d characters (it has "
                                     "%(n)d).", number=number, max=EXAMPLE_MAX, n=len(line)))


class ThemeForm(FlaskForm):
    """Rename a theme and describe it."""

    label = _label()
    description = _description()


class NewThemeForm(FlaskForm):
    """A planner's own theme."""

    label = _label()
    description = _description()
    examples = TextAreaField(_l("Examples (optional)"), filters=[multiline], description=_l(
        "Passages that belong to this theme, one per line (at most %(max)d). They teach the assignment what "
        "the theme is about.", max=EXAMPLES_MAX), validators=[_examples_fit])


class SplitForm(FlaskForm):
    """Take some quotes of a theme into a new theme."""

    quotes = _Checkboxes(_l("Quotes that go to the new theme"), coerce=int, validate_choice=False,
                         validators=[InputRequired(message=_l("Choose the quotes that belong to the new theme."))])
    label = _label()
    description = _description()


class MergeForm(FlaskForm):
    """Merge several themes into the one to keep."""

    themes = _Checkboxes(_l("Themes to merge"), coerce=int, validate_choice=False,
                         validators=[InputRequired(message=_l("Choose at least two themes to merge."))])
    into = SelectField(_l("Theme to keep"), coerce=optional_int, validate_choice=False, description=_l(
        "Its label and description stay; the others become part of it."),
                       validators=[InputRequired(message=_l("Choose the theme to keep."))])

    def validate_themes(self, field) -> None:
        chosen = set(field.data or [])
        if self.into.data is not None:
            chosen.add(self.into.data)
        if len(chosen) < 2:
            raise ValidationError(_l("Choose at least two themes to merge."))


class KeepQuoteForm(FlaskForm):
    """Keep a quote as an example of its theme (kept=1), or stop keeping it (kept=0)."""

    kept = HiddenField(validators=[AnyOf(["0", "1"], message=_l("Choose whether to keep the quote."))])
