"""Fixtures of the API tests: a token for anyone, and a generous read limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from consult.api import tokens
from consult.api.models import Scope
from consult.core.db import db


@pytest.fixture
def token_for() -> Callable[..., str]:
    """token_for(user, scope="participate") → the secret of a new token of that user."""

    def make(user, scope: str = "participate", **options) -> str:
        created = tokens.create(user, name=options.pop("name", "test"), scope=Scope(scope), **options)
        db.session.commit()
        return created.secret

    return make


@pytest.fixture(autouse=True)
def _generous_read_limit(app):
    # The whole suite shares one in-memory limiter; only the rate-limit test lowers it on purpose.
    previous = app.config["CONSULT_API_READ_LIMIT"]
    app.config["CONSULT_API_READ_LIMIT"] = "100000 per minute"
    yield
    app.config["CONSULT_API_READ_LIMIT"] = previous
