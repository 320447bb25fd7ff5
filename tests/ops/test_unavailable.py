"""When the database, Redis or the file storage fails, people get a readable 503 page, soon, and nothing
they submitted is lost."""

from __future__ import annotations

import io
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from consult.core.db import db
from consult.mail import services
from consult.mail.models import Email, EmailStatus
from consult.storage import get_storage
from tests.fixtures.app import PASSWORD
from tests.fixtures.services import current_celery, free_port

EN = {"Accept-Language": "en"}


@pytest.fixture
def build(make_app, tmp_path):
    def make(**config):
        return make_app({"SECRET_KEY": "unavailable-test-secret-key", "CONSULT_DATA_DIR": str(tmp_path / "data"),
                         "SERVER_NAME": "localhost", "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                         "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, **config})

    return make


def assert_readable_503(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.mimetype == "text/html"
    assert "<h1>Service unavailable</h1>" in response.text
    assert "Nothing you had saved is lost" in response.text


def test_a_database_that_refuses_connections_gives_a_503_page(build):
    app = build(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://consult@127.0.0.1:{free_port()}/consult")
    assert_readable_503(app.test_client().get("/establishments", headers=EN))


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers: a database host that hangs."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_database_that_hangs_gives_a_503_page_after_the_connect_timeout(build, silent_server):
    app = build(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://consult@127.0.0.1:{silent_server}/consult",
                CONSULT_DB_CONNECT_TIMEOUT=2)
    started = time.monotonic()
    response = app.test_client().get("/establishments", headers=EN)
    assert time.monotonic() - started < 15
    assert_readable_503(response)


def test_a_signed_in_person_gets_the_page_too_when_the_database_goes_away(build, tmp_path):
    database = tmp_path / "gone.sqlite"
    app = build(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    with app.app_context():
        db.create_all()
        from consult.accounts.models import User
        from consult.accounts.passwords import hash_password
        from consult.core.db import now_utc

        db.session.add(User(email="lea@exemple.ca", password_hash=hash_password(PASSWORD),
                            privacy_accepted_at=now_utc(), email_verified_at=now_utc(), locale="en"))
        db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": "lea@exemple.ca", "password": PASSWORD}).status_code == 302
    assert client.get("/account").status_code == 200
    with app.app_context():
        db.engine.dispose()
    database.unlink()
    database.mkdir()  # what is left cannot be opened as a database
    try:
        assert_readable_503(client.get("/account", headers=EN))
    finally:
        shutil.rmtree(database)


def test_a_full_disk_gives_a_503_page_naming_the_problem(build, monkeypatch):
    import errno
    import os

    app = build()

    @app.get("/test-upload")
    def upload():
        get_storage().put(io.BytesIO(b"memoire"))
        return "stored"

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    response = app.test_client().get("/test-upload", headers=EN)
    assert response.status_code == 503
    assert "The storage space for files is full" in response.text
    uploads = Path(app.config["CONSULT_DATA_DIR"]) / "uploads"
    assert [p for p in uploads.rglob("*") if p.is_file()] == []


def test_mail_queued_while_redis_is_down_is_kept_and_the_request_does_not_hang(app, build):
    live = build(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                 REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", CELERY_EAGER=False)
    started = time.monotonic()
    with live.test_request_context(), current_celery(live):
        email = services.send("lea@exemple.ca", "accounts/verify", lang="fr", name="Léa",
                              link="https://consult.example/verify/x", user=None)
        db.session.commit()  # the broker is down: the after-commit send fails and is logged
        email_id = email.id
        db.session.remove()
    assert time.monotonic() - started < 5  # not the 20 s of Celery's default result-backend retries
    row = db.session.scalar(select(Email).where(Email.id == email_id))
    assert row.status is EmailStatus.pending  # mail.sweep sends it once Redis is back
