"""Who may manage API tokens: each person their own, and nobody anyone else's (administrators included: a
token is a personal key)."""

from __future__ import annotations

from consult.api.models import ApiToken
from consult.core.permissions import rule


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rule("api_tokens.create")
def _create(user, _obj) -> bool:
    return _signed_in(user)


@rule("api_tokens.manage")
def _manage(user, token: ApiToken) -> bool:
    return _signed_in(user) and token.user_id == user.id
