"""notify() at once, in a daily digest, or not at all; the digest sends one e-mail per person, once."""

from __future__ import annotations

import email
import threading
from email import policy

import pytest
from sqlalchemy import func, select

from consult.core.db import db
from consult.mail.models import Email
from consult.notifications import services
from consult.notifications.models import Delivery, PendingNotice
from consult.notifications.tasks import digest


def body_of(message: str) -> str:
    return email.message_from_string(message, policy=policy.default).get_body().get_content()


def hide_notice(person, reason: str) -> None:
    services.notify(person, "notifications/content_hidden", kind="comment", reason=reason, excerpt="Mon texte.",
                    round_title="Consultation PALV", url=None)


def emails_to(address: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Email).where(Email.to_addr == address))


def test_immediate_notices_go_out_at_once_with_an_unsubscribe_link(world, outbox):
    hide_notice(world.citizen, "Propos injurieux.")
    db.session.commit()
    [message] = outbox()
    assert "Your comment was hidden by moderation" in message
    body = body_of(message)
    assert "Propos injurieux." in body
    assert "http://localhost/unsubscribe/" in body
    assert db.session.scalar(select(func.count()).select_from(PendingNotice)) == 0


def test_daily_notices_wait_and_the_digest_sends_one_email_with_both_then_nothing(world, outbox):
    services.set_delivery(world.citizen, Delivery.daily)
    hide_notice(world.citizen, "Premier motif.")
    hide_notice(world.citizen, "Second motif.")
    db.session.commit()
    assert outbox() == []
    assert db.session.scalar(select(func.count()).select_from(PendingNotice)
                             .where(PendingNotice.sent_at.is_(None))) == 2

    assert digest.delay().get() == 1
    [message] = outbox()
    assert "Your daily digest: 2 notices" in message
    body = body_of(message)
    assert "Premier motif." in body and "Second motif." in body
    assert body.count("/unsubscribe/") == 1  # one footer for the whole digest
    assert body.count("Hello,") == 1 and body.count("The consult team") == 1
    assert db.session.scalar(select(func.count()).select_from(PendingNotice)
                             .where(PendingNotice.sent_at.is_(None))) == 0

    assert digest.delay().get() == 0
    assert len(outbox()) == 1


def test_a_claim_takes_each_notice_once(world):
    services.set_delivery(world.citizen, Delivery.daily)
    hide_notice(world.citizen, "Motif.")
    db.session.flush()
    first = services.claim(world.citizen.id)
    second = services.claim(world.citizen.id)
    assert [n.template for n in first] == ["notifications/content_hidden"] and second == []


def test_the_digest_goes_to_each_person_separately(world, outbox):
    for person in (world.citizen, world.member):
        services.set_delivery(person, Delivery.daily)
        hide_notice(person, f"Motif pour {person.email}.")
    db.session.commit()
    assert digest.delay().get() == 2
    assert emails_to("citoyen@exemple.ca") == 1 and emails_to("membre@exemple.ca") == 1


def test_no_notices_means_nothing_is_sent_or_kept(world, outbox):
    services.set_delivery(world.citizen, Delivery.none)
    hide_notice(world.citizen, "Motif.")
    db.session.commit()
    assert outbox() == []
    assert db.session.scalar(select(func.count()).select_from(PendingNotice)) == 0


def test_a_person_who_stops_notices_before_the_digest_gets_no_digest(world, outbox):
    services.set_delivery(world.citizen, Delivery.daily)
    hide_notice(world.citizen, "Motif.")
    services.set_delivery(world.citizen, Delivery.none)
    db.session.commit()
    assert digest.delay().get() == 0
    assert outbox() == []
    assert digest.delay().get() == 0


def test_unverified_accounts_get_nothing(world, make_user, outbox):
    unverified = make_user("pas-confirme@exemple.ca", verified=False)
    hide_notice(unverified, "Motif.")
    db.session.commit()
    assert outbox() == []


def test_links_in_notices_sent_by_a_worker_use_the_public_base_url(app, world, monkeypatch):
    # A worker has no request: links are built from CONSULT_BASE_URL.
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "CONSULT_BASE_URL", "https://consult.example.ca/plateforme")
    url = services.unsubscribe_url(world.citizen)
    assert url.startswith("https://consult.example.ca/plateforme/unsubscribe/")


def test_two_digests_running_at_once_send_one_email(app, world, outbox):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time: the race exists on PostgreSQL only")
    services.set_delivery(world.citizen, Delivery.daily)
    hide_notice(world.citizen, "Motif.")
    db.session.commit()
    assert services.send_digest(world.citizen.id)  # this run holds the claimed rows, not committed yet
    other: dict[str, int] = {}

    def second_run() -> None:
        with app.app_context():
            other["sent"] = digest.run()

    thread = threading.Thread(target=second_run)
    thread.start()
    thread.join(timeout=1.0)
    assert thread.is_alive()  # it waits on the rows this run claimed
    db.session.commit()
    thread.join(timeout=30)
    assert other == {"sent": 0}
    assert emails_to("citoyen@exemple.ca") == 1
