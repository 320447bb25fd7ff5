"""Every naughty string (tests/hostile.py) as a round's title and mandate, a guiding question, a search
of the registry and a reason for declining: saved or refused with a message, never a 500, and always
shown as text on the public page."""

from __future__ import annotations

from consult.core.db import db
from consult.rounds import services
from consult.rounds.models import RoundInvitation, RoundState
from tests.hostile import naughty_strings
from tests.rounds.conftest import round_form


def _shown_safely(text: str, value: str) -> bool:
    return "<script" not in value.lower() or value not in text


def test_naughty_titles_mandates_and_questions(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    client.login(c.planner)
    failures = []
    for n, value in enumerate(naughty_strings()):
        db.session.refresh(c.round)
        edited = client.post(f"/rounds/{c.round.id}/edit", data=round_form(
            c, title=value, mandate=value, lock_version=c.round.lock_version))
        asked = client.post(f"/rounds/{c.round.id}/questions", data={"step_number": 1, "text": value})
        responses = [("edited", edited), ("asked", asked)]
        if n % 5 == 0:  # the search reads the same text the same way; a sample keeps the test short
            responses.append(("searched", client.get(f"/rounds/{c.round.id}/invitations", query_string={"q": value})))
        for what, response in responses:
            if response.status_code not in (200, 302, 422) or not _shown_safely(response.text, value):
                failures.append((value, what, response.status_code))
    assert not failures, failures[:5]
    db.session.refresh(c.round)
    services.transition(c.round, "schedule", c.planner, c.round.lock_version)
    db.session.commit()
    client.logout()
    public = client.get(f"/rounds/{c.round.id}")
    assert public.status_code == 200
    assert "<script>alert(123)</script>" not in public.text
    assert "&lt;script&gt;alert(123)&lt;/script&gt;" in public.text  # a question, shown as text
    assert client.get("/rounds").status_code == 200


def test_naughty_reasons_for_declining_and_withdrawing(client, consultation):
    line = RoundInvitation(round=consultation.round, organization=consultation.organization)
    db.session.add(line)
    db.session.commit()
    client.login(consultation.representative)
    url = f"/rounds/{consultation.round.id}/invitations/{line.id}/answer"
    declined = client.post(url, data={"answer": "decline", "reason": "<script>alert(1)</script> non merci"})
    assert declined.status_code == 302
    assert "&lt;script&gt;alert(1)&lt;/script&gt; non merci" in client.get(f"/rounds/{consultation.round.id}").text
    failures = []
    for value in naughty_strings():
        again = client.post(url, data={"answer": "take_part"})
        withdrawn = client.post(url, data={"answer": "withdraw", "reason": value})
        shown = client.get(f"/rounds/{consultation.round.id}")
        for what, response in (("again", again), ("withdrawn", withdrawn), ("shown", shown)):
            if response.status_code not in (200, 302) or not _shown_safely(response.text, value):
                failures.append((value, what, response.status_code))
    assert not failures, failures[:5]
