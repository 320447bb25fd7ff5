"""Forms of organizations and of the partnership registry. Choices that come from the database are
filled by the view."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from consult.organizations.models import (
    CATEGORY_LABELS,
    CONDITIONS,
    INSTRUMENT_LABELS,
    KIND_LABELS,
    LEAD_LABELS,
    MEMBER_ROLE_LABELS,
    PARTIES_LABELS,
    PARTNERSHIP_TYPE_LABELS,
    QUALITY_LABELS,
    RULES_LABELS,
    SECTOR_LABELS,
    STANCE_LABELS,
    Instrument,
    Lead,
    MemberRole,
    OrganizationKind,
    Parties,
    PartnershipType,
    Quality,
    RelationshipCategory,
    RulesOrigin,
    Sector,
    Stance,
)
from consult.organizations.programmes import programme_choices
from consult.organizations.services import neq_problem
from consult.territories.forms import one_line, optional_int


def multi_line(value: str | None) -> str | None:
    """Composed Unicode with line breaks kept: other control characters (NUL, escapes) go, since
    PostgreSQL refuses NUL and nobody means to type an escape sequence."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def enum_or_none(kind):
    """Coerce a submitted value to a member of `kind`; "" (nothing chosen) is None."""

    def coerce(value):
        if value is None or value == "" or isinstance(value, kind):
            return value or None
        return kind(value)

    return coerce


def _choices(labels: dict, empty: str | None = None) -> list[SelectChoice]:
    found = [SelectChoice(member.value, label) for member, label in labels.items()]
    return [SelectChoice("", empty), *found] if empty is not None else found


# For choices outside the list (a hand-edited form): WTForms' own wording would not be translated.
_FROM_LIST = {"invalid_value_message": _l("Choose one of the options."),
              "invalid_choice_message": _l("Choose one of the options.")}


class NeqCheck:
    def __call__(self, form, field) -> None:
        problem = neq_problem(field.data)
        if problem:
            raise ValidationError(problem)


_PHONE = re.compile(r"[0-9 +().#,*-]+(?:(?:ext\.?|poste|p\.)\s*[0-9]+)?", re.IGNORECASE)


class PhoneCheck:
    def __call__(self, form, field) -> None:
        if field.data and (not _PHONE.fullmatch(field.data) or sum(c.isdigit() for c in field.data) < 7):
            raise ValidationError(_l("Enter a telephone number with its area code, for example 514 555-0123 "
                                     "or 514 555-0123 poste 12."))


class WebCheck:
    """Only http(s) addresses become links on the public page."""

    def __call__(self, form, field) -> None:
        if field.data and not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", field.data, re.IGNORECASE):
            raise ValidationError(_l("Enter the full address of the website, starting with https://, for "
                                     "example https://www.exemple.org."))


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name of the organization"), filters=[one_line], validators=[
        DataRequired(message=_l("Enter the name of the organization.")),
        Length(max=200, message=_l("A name has at most 200 characters."))],
        description=_l("The name people know it by."))
    kind = SelectField(_l("Type of organization"), choices=_choices(KIND_LABELS, ""),
                       coerce=enum_or_none(OrganizationKind),
                       invalid_value_message=_l("Choose a type from the list."),
                       invalid_choice_message=_l("Choose a type from the list."),
                       validators=[InputRequired(message=_l("Choose the type of organization.")),
                                   DataRequired(message=_l("Choose the type of organization."))])
    legal_name = StringField(_l("Legal name (optional)"), filters=[one_line], validators=[
        Optional(), Length(max=200, message=_l("A legal name has at most 200 characters."))],
        description=_l("As registered, when it differs from the name above."))
    neq = StringField(_l("Québec enterprise number, NEQ (optional)"), filters=[one_line], validators=[
        Optional(), Length(max=40, message=_l("A Québec enterprise number (NEQ) has exactly 10 digits.")),
        NeqCheck()], description=_l("10 digits, as in the enterprise register; spaces are allowed."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    mission = TextAreaField(_l("Mission, in your own words (optional)"), filters=[multi_line], validators=[
        Optional(), Length(max=5000, message=_l("The mission has at most 5,000 characters."))],
        description=_l("What the organization does and for whom. Shown on its public page as you write it. "
                       "Simple formatting is allowed: blank lines between paragraphs, *italics*, lists."),
        render_kw={"rows": 6})
    territory_ids = SelectMultipleField(
        _l("Territories served (optional)"), coerce=int,
        invalid_value_message=_l("Choose territories from the list."),
        invalid_choice_message=_l("Choose territories from the list."),
        description=_l("Hold Ctrl (or Cmd) to choose several. Choosing a region or a CLSC territory means "
                       "all of it."), render_kw={"size": 10})
    programme_codes = SelectMultipleField(
        _l("Programmes concerned (optional)"), choices=programme_choices,
        invalid_value_message=_l("Choose programmes from the list."),
        invalid_choice_message=_l("Choose programmes from the list."),
        description=_l("The programme-services your activities relate to. Hold Ctrl (or Cmd) to choose "
                       "several."), render_kw={"size": 9})
    contact_email = EmailField(_l("Contact e-mail address (optional)"), filters=[one_line], validators=[
        Optional(), Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        Email(message=_l("Enter a valid e-mail address, such as info@exemple.org."),
              check_deliverability=False)], description=_l("Shown on the public page."))
    contact_phone = StringField(_l("Telephone (optional)"), filters=[one_line], validators=[
        Optional(), Length(max=40, message=_l("A telephone number has at most 40 characters.")), PhoneCheck()],
        description=_l("Shown on the public page."), render_kw={"autocomplete": "tel", "inputmode": "tel"})
    website = URLField(_l("Website (optional)"), filters=[one_line], validators=[
        Optional(), Length(max=300, message=_l("A web address has at most 300 characters.")), WebCheck()])
    address = TextAreaField(_l("Postal address (optional)"), filters=[multi_line], validators=[
        Optional(), Length(max=500, message=_l("An address has at most 500 characters."))],
        description=_l("Shown on the public page. Leave it empty for a confidential address, such as a "
                       "shelter's."), render_kw={"rows": 3})
    confirm_new = BooleanField(_l("This is a different organization: register it anyway"))


def lenient(coerce):
    """For filters read from a URL: a value that does not fit means "no filter" rather than an error."""

    def read(value):
        try:
            return coerce(value)
        except (ValueError, TypeError):
            return None

    return read


class DirectoryForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Name"), filters=[one_line],
                    validators=[Optional(), Length(max=200, message=_l("Use at most 200 characters."))])
    kind = SelectField(_l("Type"), coerce=lenient(enum_or_none(OrganizationKind)),
                       choices=_choices(KIND_LABELS, _l("All types")), validate_choice=False)
    territory = SelectField(_l("Territory"), coerce=lenient(optional_int), validate_choice=False)
    programme = SelectField(_l("Programme"), validate_choice=False)


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address of the person to invite"), filters=[one_line], validators=[
        DataRequired(message=_l("Enter the e-mail address of the person to invite.")),
        Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        Email(message=_l("Enter a valid e-mail address, such as nom@exemple.ca."), check_deliverability=False)])
    role = RadioField(_l("Invite as"), **_FROM_LIST, choices=_choices(MEMBER_ROLE_LABELS),
                      default=MemberRole.member.value, coerce=enum_or_none(MemberRole),
                      validators=[InputRequired(message=_l("Choose member or representative."))],
                      description=_l("A representative is mandated by the board to speak for the "
                                     "organization: submit briefs and answer agreement proposals."))


class JoinForm(FlaskForm):
    message = TextAreaField(_l("A word for the representatives (optional)"), filters=[multi_line], validators=[
        Optional(), Length(max=1000, message=_l("Use at most 1,000 characters."))],
        description=_l("Who you are in the organization, for example: board member, employee, volunteer."),
        render_kw={"rows": 3})


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_choices(MEMBER_ROLE_LABELS), coerce=enum_or_none(MemberRole),
                       invalid_value_message=_l("Choose member or representative."),
                       invalid_choice_message=_l("Choose member or representative."),
                       validators=[InputRequired(message=_l("Choose member or representative."))])


class VisibilityForm(FlaskForm):
    relationships_public = BooleanField(_l("Show our relationships with establishments on our public page"),
                                        description=_l("Only the establishment, the kind of relationship and "
                                                       "your stance are shown; never amounts, judgements or "
                                                       "history."))


class OpenRelationshipForm(FlaskForm):
    establishment_id = SelectField(_l("Establishment"), coerce=optional_int,
                                   invalid_value_message=_l("Choose an establishment from the list."),
                                   invalid_choice_message=_l("Choose an establishment from the list."),
                                   validators=[DataRequired(message=_l("Choose an establishment."))])


class OrganizationIdForm(FlaskForm):
    organization_id = IntegerField(widget=HiddenField.widget, validators=[
        DataRequired(message=_l("Choose an organization."))])


class DescriptionForm(FlaskForm):
    category = RadioField(_l("Kind of relationship"), **_FROM_LIST, choices=_choices(CATEGORY_LABELS),
                          coerce=enum_or_none(RelationshipCategory),
                          validators=[InputRequired(message=_l("Choose the kind of relationship."))])
    cond_structured = BooleanField(CONDITIONS["cond_structured"])
    cond_community_party = BooleanField(CONDITIONS["cond_community_party"])
    cond_public_party = BooleanField(CONDITIONS["cond_public_party"])
    cond_agreed_process = BooleanField(CONDITIONS["cond_agreed_process"])
    cond_services_purpose = BooleanField(CONDITIONS["cond_services_purpose"])
    partnership_type = SelectField(_l("Type of partnership"),
                                   choices=_choices(PARTNERSHIP_TYPE_LABELS, _l("Choose a type")),
                                   coerce=enum_or_none(PartnershipType),
                                   invalid_value_message=_l("Choose a type from the list."),
                                   invalid_choice_message=_l("Choose a type from the list."))
    parties = RadioField(_l("Number of parties"), **_FROM_LIST, choices=_choices(PARTIES_LABELS),
                         coerce=enum_or_none(Parties), validators=[Optional()])
    sector = RadioField(_l("Sectors"), **_FROM_LIST, choices=_choices(SECTOR_LABELS), coerce=enum_or_none(Sector),
                        validators=[Optional()])
    instruments = SelectMultipleField(_l("Formal instruments"), choices=_choices(INSTRUMENT_LABELS),
                                      coerce=enum_or_none(Instrument),
                                      invalid_value_message=_l("Choose instruments from the list."),
                                      invalid_choice_message=_l("Choose instruments from the list."),
                                      description=_l("Hold Ctrl (or Cmd) to choose several."),
                                      render_kw={"size": 4})
    instrument_other = StringField(_l("Other instrument, in a few words"), filters=[one_line], validators=[
        Optional(), Length(max=200, message=_l("Use at most 200 characters."))])
    rules_origin = RadioField(_l("Rules of the partnership"), **_FROM_LIST, choices=_choices(RULES_LABELS),
                              coerce=enum_or_none(RulesOrigin), validators=[Optional()])
    lead = SelectField(_l("Who leads"), choices=_choices(LEAD_LABELS, _l("Not stated")),
                       coerce=enum_or_none(Lead), invalid_value_message=_l("Choose from the list."),
                       invalid_choice_message=_l("Choose from the list."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Here rather than in a field validator: Optional() on the text would stop the check when empty.
        if Instrument.other in (self.instruments.data or []) and not self.instrument_other.data:
            self.instrument_other.errors = [*self.instrument_other.errors,
                                            _l("Say which other instrument, in a few words.")]
            valid = False
        return valid


class StanceForm(FlaskForm):
    stance = RadioField(_l("Our stance toward this establishment"), **_FROM_LIST, choices=_choices(STANCE_LABELS),
                        coerce=enum_or_none(Stance),
                        validators=[InputRequired(message=_l("Choose your organization's stance."))])
    note = TextAreaField(_l("In your own words (optional)"), filters=[multi_line], validators=[
        Optional(), Length(max=2000, message=_l("Use at most 2,000 characters."))], render_kw={"rows": 3})


class JudgementForm(FlaskForm):
    quality = RadioField(_l("How would you describe this relationship?"), **_FROM_LIST,
                         choices=_choices(QUALITY_LABELS), coerce=enum_or_none(Quality),
                         validators=[InputRequired(message=_l("Choose a point on the scale."))])
    note = TextAreaField(_l("Why (optional)"), filters=[multi_line], validators=[
        Optional(), Length(max=2000, message=_l("Use at most 2,000 characters."))], render_kw={"rows": 3})


def parse_amount(text: str) -> int:
    """"45 000", "45 000,50 $", "45,000.50" → cents. A comma followed by one or two digits at the end is a
    decimal comma (French), otherwise a thousands separator (English)."""
    cleaned = "".join(ch for ch in text if not ch.isspace()).replace("$", "")
    if not cleaned or not re.fullmatch(r"[0-9.,]+", cleaned):
        raise ValueError(text)
    if "," in cleaned and "." in cleaned:
        decimal_sep = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".") if re.search(r",[0-9]{1,2}$", cleaned) else cleaned.replace(",", "")
    if cleaned.count(".") > 1:
        raise ValueError(text)
    if len(cleaned) > 20:  # beyond any budget, and beyond what Decimal rounds exactly
        raise ValueError(text)
    try:
        amount = Decimal(cleaned)
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(text)
    except InvalidOperation:
        raise ValueError(text) from None
    return int(amount * 100)


class AmountField(StringField):
    """Dollars as typed (French or English style); `cents` holds the value once validated."""

    cents: int | None = None

    def pre_validate(self, form) -> None:
        self.cents = None
        if not self.data:
            return
        try:
            cents = parse_amount(self.data)
        except ValueError:
            raise ValidationError(_l("Enter an amount in dollars, for example 45 000 or 45 000,50.")) from None
        if cents <= 0 or cents > 100_000_000_000:
            raise ValidationError(_l("Enter an amount greater than 0 and below one billion dollars."))
        self.cents = cents


def _amount_field():
    return AmountField(_l("Amount (in dollars)"), filters=[one_line], validators=[
        DataRequired(message=_l("Enter the amount.")), Length(max=30, message=_l("Use at most 30 characters."))],
        render_kw={"inputmode": "decimal", "autocomplete": "off"})


_NOT_A_DATE = _l("Enter a date such as 2025-04-01.")


def _date_field(label, message):
    return DateField(label, validators=[InputRequired(message=message)], invalid_value_message=_NOT_A_DATE,
                     description=_l("For example 2025-04-01."))


class MissionFundingForm(FlaskForm):
    programme = StringField(_l("Funding programme"), filters=[one_line], default="PSOC", validators=[
        DataRequired(message=_l("Enter the funding programme, for example PSOC.")),
        Length(max=60, message=_l("Use at most 60 characters."))],
        description=_l("For example PSOC (programme de soutien aux organismes communautaires)."))
    amount = _amount_field()
    starts_on = _date_field(_l("Start of the period"), _l("Enter the start of the period as a date."))
    ends_on = _date_field(_l("End of the period"), _l("Enter the end of the period as a date."))
    note = TextAreaField(_l("Note (optional)"), filters=[multi_line], validators=[
        Optional(), Length(max=2000, message=_l("Use at most 2,000 characters."))], render_kw={"rows": 3})


class ServiceAgreementForm(FlaskForm):
    title = StringField(_l("Title of the agreement"), filters=[one_line], validators=[
        DataRequired(message=_l("Enter the title of the agreement.")),
        Length(max=200, message=_l("Use at most 200 characters."))])
    amount = _amount_field()
    starts_on = _date_field(_l("Start of the period"), _l("Enter the start of the period as a date."))
    ends_on = _date_field(_l("End of the period"), _l("Enter the end of the period as a date."))
    services = TextAreaField(_l("Services bought"), filters=[multi_line], validators=[
        DataRequired(message=_l("Describe the services the establishment buys.")),
        Length(max=5000, message=_l("Use at most 5,000 characters."))], render_kw={"rows": 5})
    note = TextAreaField(_l("Note (optional)"), filters=[multi_line], validators=[
        Optional(), Length(max=2000, message=_l("Use at most 2,000 characters."))], render_kw={"rows": 3})


class AccountabilityItemForm(FlaskForm):
    description = StringField(_l("What must be reported"), filters=[one_line], validators=[
        DataRequired(message=_l("Describe what must be reported.")),
        Length(max=500, message=_l("Use at most 500 characters."))],
        description=_l("For example: number of people accompanied each quarter."))
    due_on = DateField(_l("Due date (optional)"), validators=[Optional()], invalid_value_message=_NOT_A_DATE,
                       description=_l("For example 2025-06-30."))


class HandoverForm(FlaskForm):
    from_user_id = SelectField(_l("Planner leaving"), coerce=optional_int,
                               invalid_value_message=_l("Choose a person from the list."),
                               invalid_choice_message=_l("Choose a person from the list."),
                               validators=[DataRequired(message=_l("Choose the person leaving."))])
    to_user_id = SelectField(_l("Planner taking over"), coerce=optional_int,
                             invalid_value_message=_l("Choose a person from the list."),
                             invalid_choice_message=_l("Choose a person from the list."),
                             validators=[DataRequired(message=_l("Choose the person taking over."))])
    handed_over_on = DateField(_l("Date of the handover"), invalid_value_message=_NOT_A_DATE, validators=[
        InputRequired(message=_l("Enter the date of the handover."))],
        description=_l("For example 2025-04-01."))
    note = TextAreaField(_l("What the next person should know (optional)"), filters=[multi_line], validators=[
        Optional(), Length(max=5000, message=_l("Use at most 5,000 characters."))], render_kw={"rows": 4})
