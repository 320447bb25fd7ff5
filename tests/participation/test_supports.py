"""Supports: one per person per item per version, retractable, counted on the page, only while the round
is open; a double click records one support and never fails."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.core.db import db
from consult.participation.comments import services
from consult.participation.models import Support
from consult.rounds.models import Audience, RoundState


def item_url(c) -> str:
    return f"/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}"


def supports() -> int:
    return db.session.scalar(select(func.count(Support.id)))


def test_support_once_twice_and_retract(client, consultation):
    c = consultation
    client.login(c.citizen)
    client.get("/lang/en")
    first = client.post(item_url(c) + "/support")
    assert first.status_code == 302 and first.headers["Location"].endswith("#support")
    page = client.get(item_url(c))
    assert "Your support was recorded." in page.text
    assert "1 person supports this item." in page.text and "Withdraw my support" in page.text
    again = client.post(item_url(c) + "/support", follow_redirects=True)  # a double click
    assert again.status_code == 200 and "You already support this item." in again.text
    assert supports() == 1
    row = db.session.scalar(select(Support))
    assert (row.version_id, row.item_uid, row.item_kind, row.round_id) == (
        c.needs_version.id, c.need_uid, "need", c.round.id)

    client.logout()
    client.login(c.member)
    client.get("/lang/en")  # the member reads French; the wording asserted here is English
    client.post(item_url(c) + "/support")
    assert "2 people support this item." in client.get(item_url(c)).text

    withdrawn = client.post(item_url(c) + "/unsupport", follow_redirects=True)
    assert "Your support was withdrawn." in withdrawn.text
    assert "1 person supports this item." in withdrawn.text and "I support this item" in withdrawn.text
    assert supports() == 1
    assert client.post(item_url(c) + "/unsupport").status_code == 302  # nothing to withdraw: no error
    assert supports() == 1


def test_a_support_that_lost_the_race_is_not_an_error(consultation, monkeypatch, app):
    c = consultation
    item = c.item(c.need_uid)
    with app.test_request_context():
        assert services.support(c.round, item, c.citizen) is True
        db.session.commit()
        # The second click's check ran before the first click's insert: the unique constraint decides.
        monkeypatch.setattr(services, "_support_of", lambda *_a: None)
        assert services.support(c.round, item, c.citizen) is False
        db.session.commit()
    assert supports() == 1


def test_supports_are_per_item(client, consultation):
    c = consultation
    client.login(c.citizen)
    client.post(item_url(c) + "/support")
    other = f"/rounds/{c.round.id}/items/{c.needs_version.id}/{c.other_need_uid}"
    client.post(other + "/support")
    gap = f"/rounds/{c.round.id}/items/{c.gaps_version.id}/{c.gap_uid}"
    client.post(gap + "/support")
    assert supports() == 3


def test_a_closed_round_takes_no_support_and_keeps_the_existing_ones(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    db.session.add(Support(round_id=c.round.id, version_id=c.needs_version.id, item_uid=c.need_uid,
                           item_kind="need", user_id=c.member.id))
    db.session.commit()
    client.login(c.citizen)
    client.get("/lang/en")
    refused = client.post(item_url(c) + "/support", follow_redirects=True)
    assert "This consultation is closed" in refused.text and "Nothing was recorded." in refused.text
    assert "1 person supports this item." in refused.text
    client.logout()
    client.login(c.member)
    client.get("/lang/en")
    kept = client.post(item_url(c) + "/unsupport", follow_redirects=True)
    assert "This consultation is closed" in kept.text
    assert supports() == 1


def test_who_may_support(client, make_consultation, make_user):
    c = make_consultation(audience=Audience.organizations)
    assert "/login" in client.post(item_url(c) + "/support").headers["Location"]
    client.login(c.citizen)
    assert client.post(item_url(c) + "/support").status_code == 403
    client.logout()
    client.login(make_user("pas-confirme@exemple.ca", verified=False))
    assert client.post(item_url(c) + "/support").status_code == 403
    client.logout()
    client.login(c.representative)
    assert client.post(item_url(c) + "/support").status_code == 302
    assert supports() == 1
