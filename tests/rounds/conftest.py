"""Helpers for the rounds tests: the form data of a round, and who received which e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.mail.models import Email
from consult.rounds import services


def local(delta: timedelta) -> str:
    """A Montréal wall-clock time `delta` from now, as a datetime-local field sends it."""
    return services.utc_to_local(now_utc() + delta).strftime("%Y-%m-%dT%H:%M")


def round_form(consultation, **overrides) -> dict:
    data = {
        "title": "Deuxième consultation sur le portrait",
        "mandate": "Dites-nous ce qui manque.",
        "participation_level": "concertation",
        "budgets_in_scope": "no",
        "audience": "both",
        "opens_at": local(timedelta(days=2)),
        "closes_at": local(timedelta(days=40)),
        "version_ids": [consultation.needs_version.id],
    }
    data.update(overrides)
    return data


def mails() -> list[Email]:
    return list(db.session.scalars(select(Email).order_by(Email.id)))


def mails_to(address: str) -> list[Email]:
    return [m for m in mails() if m.to_addr == address]


@pytest.fixture
def form_data():
    return round_form
