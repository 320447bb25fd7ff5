"""The optional participant profile: explained, saved only with consent, changed, and deleted when consent
is withdrawn."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from consult.core.db import db
from consult.participation.models import ParticipantProfile

URL = "/account/participation-profile"


def profiles() -> int:
    return db.session.scalar(select(func.count(ParticipantProfile.user_id)))


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_explains_the_use_and_consent_is_required(client, consultation):
    client.login(consultation.citizen)
    client.get("/lang/en")
    page = client.get(URL)
    assert page.status_code == 200
    assert "only in aggregate counts" in page.text and "fewer than 5 people is never shown" in page.text
    for choice in ("Under 18", "75 and over", "Prefer not to say", "Another gender identity", "Caregivers",
                   "Indigenous peoples", "LGBTQ+ people", "People living on low income", "Centre-Sud"):
        assert choice in page.text
    refused = client.post(URL, data={"age_band": "65_74", "gender": "woman"})
    assert refused.status_code == 422 and "Tick the box to give your consent" in refused.text
    assert profiles() == 0


def test_saving_changing_and_withdrawing(client, consultation):
    c = consultation
    client.login(c.citizen)
    client.get("/lang/en")
    saved = client.post(URL, data={"consent": "y", "age_band": "65_74", "gender": "woman",
                                   "area_id": str(c.area.id), "population_group": "caregivers"})
    assert saved.status_code == 302
    profile = db.session.get(ParticipantProfile, c.citizen.id)
    assert (profile.age_band, profile.gender, profile.area_id, profile.population_group) == (
        "65_74", "woman", c.area.id, "caregivers")
    assert profile.consented_at is not None
    page = client.get(URL)
    assert '<option selected value="65_74">' in page.text and "You gave your consent on" in page.text
    consent_box = re.search(r'<input[^>]*id="consent"[^>]*>', page.text).group(0)
    assert "checked" in consent_box

    changed = client.post(URL, data={"consent": "y", "age_band": "", "gender": "undisclosed"})
    assert changed.status_code == 302
    db.session.expire_all()
    profile = db.session.get(ParticipantProfile, c.citizen.id)
    assert (profile.age_band, profile.gender, profile.area_id, profile.population_group) == (
        None, "undisclosed", None, None)
    assert profiles() == 1

    withdrawn = client.post(URL + "/withdraw", follow_redirects=True)
    assert "Your consent was withdrawn and your answers were deleted." in withdrawn.text
    assert profiles() == 0
    assert "Withdraw my consent" not in withdrawn.text


def test_answers_outside_the_lists_are_refused(client, consultation):
    client.login(consultation.citizen)
    client.get("/lang/en")
    refused = client.post(URL, data={"consent": "y", "age_band": "42", "gender": "<script>",
                                     "population_group": "tous", "area_id": "999999"})
    assert refused.status_code == 422
    for message in ("Choose an age group from the list.", "Choose an answer from the list.",
                    "Choose a group from the list.", "Choose a local area from the list."):
        assert message in refused.text
    assert "<script>" not in refused.text
    assert profiles() == 0
