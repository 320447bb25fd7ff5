"""Pieces of pages that every reader sees alike, rendered once per web process and reused.

The page cache (pagecache.py) serves whole pages, but only to visitors who are not signed in: a signed-in
reader's page carries their own name, CSRF token and links. Most of such a page still reads the same for
everyone — on a popular need, the comments with their authors, dates, text and the establishment's answers.
A template wraps such a piece in `{% call fragment(...) %}…{% endcall %}` and names in the key everything the
piece shows (ids, update times, authors' names); the language is added here. A piece is rendered on the
first request that needs it and kept until the process has kept `CONSULT_FRAGMENT_CACHE_ENTRIES` newer ones.

Nothing personal may go in a piece except a CSRF token: while a piece renders, the token reads as a
per-process placeholder, and each reader gets their own token written in its place.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from consult.core.lru import BoundedLRU

# Unguessable, so no text a person submits can contain it.
_TOKEN_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"


def init_app(app: Flask) -> None:
    entries = app.config["CONSULT_FRAGMENT_CACHE_ENTRIES"]
    app.extensions["consult.fragments"] = BoundedLRU[str](entries) if entries > 0 else None
    app.jinja_env.globals["fragment"] = fragment


def forget_all(app: Flask) -> None:
    """For a database emptied under a running app (the tests): its ids will be handed out again."""
    cache: BoundedLRU[str] | None = app.extensions.get("consult.fragments")
    if cache is not None:
        cache.clear()


def fragment(*key: Hashable, caller: Callable[[], str]) -> Markup:
    """The piece `caller` renders, from the cache when it was rendered before under the same key."""
    cache: BoundedLRU[str] | None = current_app.extensions.get("consult.fragments")
    if cache is None:
        return Markup(caller())
    full_key = (str(get_locale()), *key)
    html = cache.get(full_key)
    if html is None:
        with _token_placeholder():
            html = str(caller())
        cache.put(full_key, html)
    if _TOKEN_PLACEHOLDER in html:
        html = html.replace(_TOKEN_PLACEHOLDER, generate_csrf())
    return Markup(html)


@contextmanager
def _token_placeholder() -> Iterator[None]:
    """Flask-WTF hands out the token kept in `g` for the request; the placeholder stands in meanwhile."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    missing = object()
    before = g.get(name, missing)
    setattr(g, name, _TOKEN_PLACEHOLDER)
    try:
        yield
    finally:
        if before is missing:
            g.pop(name, None)
        else:
            setattr(g, name, before)
