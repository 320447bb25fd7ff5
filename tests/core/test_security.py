"""Security by default: CSRF on every form, strict headers, secure cookies, error pages in both languages."""

from __future__ import annotations

import pytest

from tests.fixtures.app import PASSWORD


@pytest.fixture
def strict_app(make_app, app):
    """An app as deployed: CSRF on, production cookies."""
    return make_app({"TESTING": True, "SECRET_KEY": "another-test-secret-key-0123",
                     "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                     "CONSULT_DATA_DIR": app.config["CONSULT_DATA_DIR"], "CELERY_EAGER": True})


def test_a_form_posted_without_its_csrf_token_is_refused(strict_app, make_user):
    user = make_user()
    client = strict_app.test_client()
    page = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert page.status_code == 400
    assert "formulaire a expiré" in page.text or "expired" in page.text
    assert "Set-Cookie" not in page.headers or "remember_token" not in page.headers["Set-Cookie"]


def test_production_cookies_are_secure_and_http_only(strict_app):
    assert strict_app.config["SESSION_COOKIE_SECURE"] is True
    assert strict_app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert strict_app.config["REMEMBER_COOKIE_SECURE"] is True
    assert strict_app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_every_page_carries_a_strict_content_security_policy(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_page_not_found_in_french_then_english(client):
    french = client.get("/nulle-part")
    assert french.status_code == 404
    assert "Page introuvable" in french.text
    english = client.get("/nowhere", headers={"Accept-Language": "en-CA,en;q=0.9"})
    assert english.status_code == 404
    assert "Page not found" in english.text


def test_forbidden_page_says_so_in_the_readers_language(client, make_user):
    client.login(make_user(locale="en"))
    page = client.get("/admin/")
    assert page.status_code == 403
    assert "Access denied" in page.text


def test_an_unexpected_error_shows_a_calm_page_not_a_trace(app, client, monkeypatch):
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "main.home", boom)
    page = client.get("/")
    assert page.status_code == 500
    assert "Une erreur inattendue" in page.text
    assert "RuntimeError" not in page.text


def test_json_clients_get_json_errors(client):
    page = client.get("/nowhere", headers={"Accept": "application/json"})
    assert page.status_code == 404
    assert page.json["status"] == 404
