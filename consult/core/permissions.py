"""One way to ask "may this user do this?".

Each domain module declares its rules in its own policies.py with @rule("action"), and they are
registered when the module is imported at start-up; core never imports a domain module. Views, API
and templates all ask through can()/require().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user

Rule = Callable[[Any, Any], bool]
_rules: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    """Register the function deciding `action`: f(user, obj) -> bool. One rule per action."""

    def register(func: Rule) -> Rule:
        if action in _rules and _rules[action] is not func:
            raise RuntimeError(f"permission rule {action!r} registered twice")
        _rules[action] = func
        return func

    return register


def actions() -> list[str]:
    return sorted(_rules)


def can(user: Any, action: str, obj: Any = None) -> bool:
    try:
        decide = _rules[action]
    except KeyError:
        raise LookupError(f"no permission rule for {action!r}") from None
    if user is None or getattr(user, "is_deleted", False):
        return False
    return bool(decide(user, obj))


def require(user: Any, action: str, obj: Any = None) -> None:
    """Abort with 401 (sign in first) for visitors, 403 for signed-in users, unless allowed."""
    if can(user, action, obj):
        return
    if not getattr(user, "is_authenticated", False):
        abort(401)
    abort(403)


def template_can(action: str, obj: Any = None) -> bool:
    """`can()` for templates: {% if can("territories.manage") %}."""
    return can(current_user, action, obj)
