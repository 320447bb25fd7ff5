"""A project to follow and a reader who reads pages in English, the language msgids are written in."""

from __future__ import annotations

import pytest

from consult.core.db import db


@pytest.fixture
def world(consultation):
    for person in (consultation.citizen, consultation.member, consultation.planner):
        person.locale = "en"
    db.session.commit()
    return consultation
