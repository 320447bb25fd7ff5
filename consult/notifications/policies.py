"""Who may follow a project and change notification settings. Unsubscribing needs no sign-in: the
signed link is the authorization."""

from __future__ import annotations

from typing import Any

from consult.core.permissions import can, rule


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rule("notifications.follow")
def _follow(user, project) -> bool:
    # Anyone signed in who can read the project; following a draft nobody may see would say it exists.
    return _signed_in(user) and can(user, "projects.view", project)


@rule("notifications.settings")
def _settings(user, _obj) -> bool:
    return _signed_in(user)
