"""French first; the browser's language, the toggle and the account preference choose otherwise."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import refresh

from consult.core.timefmt import datetime_filter


def test_french_by_default(client):
    page = client.get("/")
    assert '<html lang="fr-CA">' in page.text


def test_browser_language_is_followed(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert '<html lang="en-CA">' in page.text


def test_toggle_wins_over_the_browser_and_returns_to_the_same_page(client):
    response = client.get("/lang/fr?next=/privacy", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/privacy"
    page = client.get("/privacy", headers={"Accept-Language": "en"})
    assert '<html lang="fr-CA">' in page.text


def test_toggle_refuses_to_send_people_elsewhere(client):
    assert client.get("/lang/en?next=https://ailleurs.example/").headers["Location"] == "/"


def test_signed_in_preference_is_kept_across_browsers(client, make_user):
    user = make_user(locale="en")
    client.login(user)
    page = client.get("/account", headers={"Accept-Language": "fr"})
    assert '<html lang="en-CA">' in page.text


def test_dates_are_shown_in_montreal_time_in_the_readers_language(app):
    moment = datetime(2026, 1, 15, 3, 30, tzinfo=UTC)  # 22 h 30 the day before in Montréal
    with app.test_request_context(headers={"Accept-Language": "fr-CA"}):
        refresh()
        assert datetime_filter(moment) == "14 janv. 2026, 22 h 30"
    with app.test_request_context(headers={"Accept-Language": "en-CA"}):
        refresh()
        assert datetime_filter(moment).replace("\u202f", " ") == "Jan 14, 2026, 10:30 p.m."
