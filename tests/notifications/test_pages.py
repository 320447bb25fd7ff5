"""Follow a project, the settings page, and one-click unsubscribe (a GET asks, a POST stops)."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from consult.core.db import db
from consult.notifications import services, tokens
from consult.notifications.models import Delivery, Follow
from consult.projects import services as projects


def follows() -> int:
    return db.session.scalar(select(func.count()).select_from(Follow))


def test_following_twice_keeps_one_follow_and_no_error(client, world):
    client.login(world.citizen)
    url = f"/projects/{world.project.id}/follow"
    first = client.post(url)
    assert first.status_code == 302 and first.headers["Location"] == f"/projects/{world.project.id}"
    second = client.post(url, data={"next": "/account/notifications"}, follow_redirects=True)
    assert second.status_code == 200
    assert "You follow “Projet clinique PALV”" in second.text
    assert follows() == 1
    assert [u.id for u in services.followers_of(world.project.id)] == [world.citizen.id]


def test_the_settings_page_lists_followed_projects_and_unfollows(client, world):
    client.login(world.citizen)
    client.post(f"/projects/{world.project.id}/follow")
    page = client.get("/account/notifications")
    assert page.status_code == 200 and "Projet clinique PALV" in page.text
    done = client.post(f"/projects/{world.project.id}/unfollow", data={"next": "/account/notifications"},
                       follow_redirects=True)
    assert "You no longer follow" in done.text and "You follow no project yet" in done.text
    assert follows() == 0
    assert client.post(f"/projects/{world.project.id}/unfollow").status_code == 302  # twice: no error


def test_visitors_are_asked_to_sign_in(client, world):
    assert "/login" in client.post(f"/projects/{world.project.id}/follow").headers["Location"]
    assert "/login" in client.get("/account/notifications").headers["Location"]
    assert follows() == 0


def test_a_project_nobody_may_read_cannot_be_followed(client, world):
    hidden = projects.create_project(world.establishment, projects.programme_by_code("palv"), title="Brouillon",
                                     summary=None, start_date=None, end_date=None, territories=[])
    db.session.commit()
    client.login(world.citizen)
    assert client.post(f"/projects/{hidden.id}/follow").status_code == 404
    assert client.post("/projects/999999/follow").status_code == 404
    assert follows() == 0


def test_settings_change_delivery(client, world):
    client.login(world.citizen)
    page = client.get("/account/notifications")
    assert re.search(r'value="immediate"[^>]*checked|checked[^>]*value="immediate"', page.text)
    assert client.post("/account/notifications", data={"delivery": "daily"}).status_code == 302
    assert services.delivery_of(world.citizen) is Delivery.daily
    refused = client.post("/account/notifications", data={"delivery": "hourly"})
    assert refused.status_code == 422
    assert services.delivery_of(world.citizen) is Delivery.daily


def test_unsubscribe_get_changes_nothing_and_post_stops_notices(client, world):
    url = f"/unsubscribe/{tokens.make(world.citizen)}"
    page = client.get(url)  # opened from a mail, signed out: French, the default
    assert page.status_code == 200 and "Désactiver tous les avis" in page.text
    assert 'name="csrf_token"' in page.text
    assert services.delivery_of(world.citizen) is Delivery.immediate
    done = client.post(url)
    assert done.status_code == 200 and "Vous ne recevrez plus d'avis." in unescape(done.text)
    assert services.delivery_of(world.citizen) is Delivery.none
    assert "Les avis sont déjà désactivés pour ce compte." in client.get(url).text
    assert client.post(url).status_code == 200  # a second click: still stopped, no error


def test_a_forged_unsubscribe_link_shows_a_clear_page_and_changes_nothing(client, world):
    good = tokens.make(world.citizen)
    for token in ("not-a-token", good[:-3] + "abc", tokens.make(world.member).replace(".", "x", 1)):
        for method in (client.get, client.post):
            page = method(f"/unsubscribe/{token}")
            assert page.status_code == 400
            assert "Ce lien de désabonnement n'est pas valide" in unescape(page.text)
    assert services.delivery_of(world.citizen) is Delivery.immediate


def test_the_link_in_a_notice_works(client, world, outbox):
    from tests.fixtures.app import link_in

    services.notify(world.citizen, "notifications/content_hidden", kind="brief", reason="Motif.", excerpt="…",
                    round_title="Consultation", url=None)
    db.session.commit()
    [message] = outbox()
    assert client.post(link_in(message, "/unsubscribe/")).status_code == 200
    assert services.delivery_of(world.citizen) is Delivery.none
