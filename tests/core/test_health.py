"""GET /healthz: what a load balancer or an operator sees when the database or the broker is down."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.fixtures.services import free_port


@pytest.fixture
def health_app(app: Flask, make_app, tmp_path):
    def build(**config) -> Flask:
        return make_app({
            "SECRET_KEY": "health-check-secret-key",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "CONSULT_DATA_DIR": str(tmp_path / "data"),
            **config,
        })

    return build


def test_healthy_with_the_embedded_broker(health_app):
    response = health_app().test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"]["ok"] is True
    assert response.json["broker"] == {"ok": True, "transport": "filesystem"}


@pytest.mark.integration
def test_healthy_when_redis_answers(health_app, redis_url):
    response = health_app(REDIS_URL=redis_url).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["broker"]["ok"] is True
    assert response.json["broker"]["transport"] == "redis"


def test_unavailable_when_redis_is_down(health_app):
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = health_app(REDIS_URL=closed).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["broker"]["ok"] is False
    assert response.json["database"]["ok"] is True  # says which part is down


def test_unavailable_when_the_database_is_down(health_app):
    closed = f"postgresql+psycopg://consult@127.0.0.1:{free_port()}/consult"
    response = health_app(SQLALCHEMY_DATABASE_URI=closed).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == {"ok": False, "engine": "postgresql", "error": "OperationalError"}
    assert response.json["broker"]["ok"] is True
