"""Notification settings: how notices reach a person."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import InputRequired

from consult.notifications.models import Delivery

DELIVERY_LABELS = {
    Delivery.immediate: _l("Send each notice as it happens"),
    Delivery.daily: _l("One e-mail a day gathering the day's notices"),
    Delivery.none: _l("No notices (receipts and account messages still come)"),
}


class SettingsForm(FlaskForm):
    delivery = RadioField(_l("How should notices reach you?"),
                          choices=[(d.value, label) for d, label in DELIVERY_LABELS.items()],
                          validators=[InputRequired(message=_l("Choose how notices reach you."))],
                          description=_l("Notices tell you about answers to what you posted, co-signature "
                                         "requests and rounds opening on the projects you follow."))

    @property
    def delivery_value(self) -> Delivery:
        return Delivery(self.delivery.data)


class FollowForm(FlaskForm):
    """The follow / unfollow buttons: a CSRF token and where to go back."""

    next = HiddenField()
