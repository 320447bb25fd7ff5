"""Rate limits on posting: one decorator every view that creates content uses (comments, briefs, flags…)."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from consult.extensions import limiter


def _post_limit() -> str:
    return current_app.config["CONSULT_POST_LIMIT"]


def _poster() -> str:
    # Per person when signed in (several people may share one address: a community centre, a library).
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


limit_posts = limiter.limit(_post_limit, key_func=_poster, methods=["POST"])
"""Decorate a view that creates or changes participant content: `@limit_posts` under the route."""
