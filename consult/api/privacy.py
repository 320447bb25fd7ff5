"""What the API keeps about a person (Law 25): their tokens' metadata, never a secret (none is stored).
Deleting the account deletes its tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from consult.accounts.models import User
from consult.accounts.privacy import eraser, exporter
from consult.api import tokens
from consult.api.models import ApiToken
from consult.core.db import db


@exporter("api_tokens")
def _tokens(user: User) -> list[dict[str, Any]]:
    return [{"name": t.name, "shown_prefix": t.prefix, "scope": t.scope.value, "created_at": t.created_at,
             "last_used_at": t.last_used_at, "expires_at": t.expires_at, "revoked_at": t.revoked_at}
            for t in tokens.of_user(user)]


@eraser
def _erase(user: User) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
