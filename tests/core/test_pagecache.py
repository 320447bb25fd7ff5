"""Pages kept for visitors who are not signed in: served again until the next write, never to anyone else."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from consult.core import pagecache
from consult.core.db import db


@pytest.fixture
def cache(app):
    kept = pagecache.install(app, seconds=60, grace=0)  # exact: a write makes every kept page stale
    yield kept
    pagecache.uninstall(app)


def _item(c) -> str:
    return f"/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}"


def test_a_visitor_is_served_the_kept_page_until_someone_writes(cache, client, consultation, app):
    first = client.get(_item(consultation))
    assert first.status_code == 200 and first.headers.get("X-Page-Cache") is None
    again = client.get(_item(consultation))
    assert again.headers["X-Page-Cache"] == "hit"
    assert again.data == first.data

    writer = app.test_client()
    writer.login(consultation.citizen)
    posted = writer.post(_item(consultation) + "/comments", data={"body": "Le transport adapté manque le soir."})
    assert posted.status_code in (302, 303)

    fresh = client.get(_item(consultation))
    assert fresh.headers.get("X-Page-Cache") is None
    assert "Le transport adapté manque le soir." in fresh.text


def test_a_signed_in_person_never_gets_a_kept_page(cache, client, consultation):
    client.get(_item(consultation))
    assert client.get(_item(consultation)).headers["X-Page-Cache"] == "hit"
    client.login(consultation.citizen)
    for _ in range(2):
        page = client.get(_item(consultation))
        assert page.headers.get("X-Page-Cache") is None
    client.logout()


def test_each_language_has_its_own_kept_page(cache, app, consultation):
    french, english = app.test_client(), app.test_client()
    english.get("/lang/en")
    for _ in range(2):
        assert 'lang="fr' in french.get("/rounds").text
        assert 'lang="en' in english.get("/rounds").text
    by_header = app.test_client().get("/rounds", headers={"Accept-Language": "en-CA,en;q=0.8"})
    assert 'lang="en' in by_header.text and by_header.headers["X-Page-Cache"] == "hit"


def test_forms_errors_and_cookies_are_not_kept(cache, client, consultation, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production: forms carry a token
    for _ in range(2):
        login = client.get("/login")  # a form: its CSRF token belongs to this visitor's session
        assert login.headers.get("X-Page-Cache") is None
        missing = client.get("/rounds/999999")
        assert missing.status_code == 404 and missing.headers.get("X-Page-Cache") is None
    assert not any(key[4] in ("/login", "/rounds/999999") for key in cache.pages)


def test_head_is_answered_from_the_kept_page_without_a_body(cache, client, consultation):
    client.get("/rounds")
    head = client.head("/rounds")
    assert head.status_code == 200 and head.headers["X-Page-Cache"] == "hit" and head.data == b""


def test_a_write_by_a_worker_or_another_process_moves_the_shared_generation(cache, client, consultation, app):
    client.get("/rounds")
    assert client.get("/rounds").headers["X-Page-Cache"] == "hit"
    cache.generation.bump()  # what another web process or a worker does after its commit
    assert client.get("/rounds").headers.get("X-Page-Cache") is None


def test_an_unreadable_generation_serves_nothing_kept(cache, client, consultation, monkeypatch):
    client.get("/rounds")
    monkeypatch.setattr(cache.generation, "read", lambda: None)
    assert client.get("/rounds").headers.get("X-Page-Cache") is None


def test_a_commit_that_wrote_nothing_keeps_the_pages(cache, client, consultation, app):
    client.get("/rounds")
    with app.app_context():
        db.session.commit()
    assert client.get("/rounds").headers["X-Page-Cache"] == "hit"


def test_the_file_generation_is_replaced_whole(tmp_path: Path):
    generation = pagecache.Generation(None, tmp_path / "page-generation", timeout=1)
    assert generation.read() == "0"
    generation.bump()
    first = generation.read()
    generation.bump()
    assert generation.read() not in ("0", first)
    assert [p.name for p in tmp_path.iterdir()] == ["page-generation"]


def test_the_number_of_kept_pages_is_bounded(app, client, consultation):
    kept = pagecache.install(app, seconds=60, grace=0)
    kept.pages.limit = 2
    try:
        for path in ("/rounds", "/projects", "/organizations", "/"):
            client.get(path)
        assert len(kept.pages) == 2
    finally:
        pagecache.uninstall(app)


def test_after_a_write_concurrent_readers_wait_for_one_rendering(cache, app, consultation):
    import threading
    import time

    app.test_client().get("/rounds")
    cache.generation.bump()
    renders = []
    inner = cache.wsgi_app

    def slow_app(environ, start_response):
        renders.append(environ["PATH_INFO"])
        time.sleep(0.2)  # long enough for every reader to arrive while the first one renders
        return inner(environ, start_response)

    cache.wsgi_app = slow_app
    answers = []
    readers = [threading.Thread(target=lambda: answers.append(app.test_client().get("/rounds").status_code))
               for _ in range(6)]
    try:
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
    finally:
        cache.wsgi_app = inner  # the fixture puts this back in front of the app
    assert answers == [200] * 6
    assert renders == ["/rounds"]


def test_head_of_a_page_that_is_not_kept_has_no_body(cache, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    head = client.head("/login")
    assert head.status_code == 200 and head.data == b"" and head.headers.get("X-Page-Cache") is None


def test_within_the_grace_a_write_leaves_a_recent_page_served_then_it_is_rendered_afresh(app, client, consultation):
    kept = pagecache.install(app, seconds=60, grace=0.3)
    try:
        client.get(_item(consultation))
        writer = app.test_client()
        writer.login(consultation.citizen)
        writer.post(_item(consultation) + "/comments", data={"body": "Un texte publié pendant la grâce."})
        within = client.get(_item(consultation))
        assert within.headers["X-Page-Cache"] == "hit" and "Un texte publié pendant la grâce." not in within.text
        time.sleep(0.35)
        after = client.get(_item(consultation))
        assert after.headers.get("X-Page-Cache") is None and "Un texte publié pendant la grâce." in after.text
        assert kept.grace == 0.3
    finally:
        pagecache.uninstall(app)
