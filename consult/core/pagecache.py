"""Pages for visitors who are not signed in, kept in each web process and served without running the app.

Most of the load on a consultation is people reading: the needs portrait, a round, a popular need's
thread. For a visitor who is not signed in, such a page depends only on its address, its language and the
data; so each web process keeps the last rendering of such pages and serves it again, in front of Flask,
for as long as nothing was written since.

Exactness comes from a *generation*: a counter bumped after every database commit that wrote something
(a comment, a publication, a summary compiled by a worker). A kept page is served only if the generation
has not moved since it was rendered, so a visitor never sees a page older than the last write. The counter
lives in Redis when REDIS_URL is set (shared by every web process and worker, on any host), otherwise in a
file of the data folder (one machine: the default install). If the counter cannot be read, nothing is
served from the cache. A kept page also ages out after CONSULT_PAGE_CACHE_SECONDS, for what changes with
the clock alone (a round that opens at a set time).

On a busy evening writes come several times a second, and each one would have every web process render
every popular page again. So a page rendered less than CONSULT_PAGE_CACHE_GRACE_SECONDS ago is still
served after a write: a visitor may read a page that many seconds older than the last write, never more
(0 makes the cache exact). Signed-in people, the writers among them, always get a fresh page.

What is never kept: anything for a signed-in person (their session or remember-me cookie says so), a
request other than GET/HEAD, a response other than a 200 HTML page, a response that sets a cookie, one that
carries a CSRF token (a form), flashed messages, or one marked `Cache-Control: private` / `no-store`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from consult.core.lru import BoundedLRU
from consult.i18n.locale import visitor_language

log = logging.getLogger(__name__)

# Set in the WSGI environ by the app on a page it may keep, to the page's endpoint.
CACHEABLE = "consult.page_cache.cacheable"
# Session keys that do not change what a visitor who is not signed in sees.
_NEUTRAL_KEYS = frozenset({"csrf_token", "_fresh", "_id", "_permanent"})


@dataclass(frozen=True)
class Kept:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    generation: str
    stored: float
    endpoint: str


# Called on every page served from the cache with (method, endpoint, status code, seconds): the app's request
# metrics (consult.ops.metrics) count those requests too, though Flask never sees them.
HIT_LISTENERS: list[Callable[[str, str, int, float], None]] = []


class Generation:
    """The counter bumped after writes: in Redis, or as a file's content in the data folder."""

    KEY = "consult:page-generation"

    def __init__(self, redis_url: str | None, path: Path, timeout: float) -> None:
        self.path = path
        self.redis = None
        if redis_url:
            import redis

            self.redis = redis.Redis.from_url(redis_url, socket_connect_timeout=timeout, socket_timeout=timeout)

    def read(self) -> str | None:
        try:
            if self.redis is not None:
                value = self.redis.get(self.KEY)
                return value.decode() if value is not None else "0"
            return self.path.read_text() if self.path.exists() else "0"
        except Exception:  # a counter that cannot be read means "do not serve kept pages"
            log.warning("page cache: the generation could not be read; pages are rendered afresh", exc_info=True)
            return None

    def bump(self) -> bool:
        try:
            if self.redis is not None:
                self.redis.incr(self.KEY)
                return True
            # A unique value written atomically: a rename never leaves a half-written file to a reader.
            scratch = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
            scratch.write_text(f"{time.time_ns()}-{os.getpid()}-{threading.get_ident()}")
            os.replace(scratch, self.path)
            return True
        except Exception:  # the write itself succeeded; other processes' kept pages age out on their own
            log.warning("page cache: the generation could not be bumped", exc_info=True)
            return False


class PageCache:
    """WSGI middleware in front of the Flask app."""

    def __init__(self, app: Flask, generation: Generation, *, seconds: float, max_pages: int,
                 max_page_bytes: int, grace: float = 0.0) -> None:
        self.flask_app = app
        self.wsgi_app = app.wsgi_app
        self.generation = generation
        self.seconds = seconds
        self.grace = min(grace, seconds)
        self.max_page_bytes = max_page_bytes
        self.pages: BoundedLRU[Kept] = BoundedLRU(max_pages)
        self.lock = threading.Lock()
        self.renderings: dict[tuple, list] = {}  # key -> [lock, number of requests holding or awaiting it]
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.max_age = int(app.permanent_session_lifetime.total_seconds())
        self.serializer = _session_serializer(app)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        key = self.key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        generation = self.generation.read()
        if generation is None:
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        kept = self._fresh(key, generation)
        if kept is None:
            if key not in self.pages:  # never kept (or not lately): it may well not be keepable, e.g. a form
                return self._render_and_keep(environ, start_response, key, generation)
            # One rendering per kept page at a time: after a write, the readers of a popular page wait for the
            # first one's rendering instead of all rendering it at once.
            with self._rendering(key):
                kept = self._fresh(key, generation)
                if kept is None:
                    return self._render_and_keep(environ, start_response, key, generation)
        start_response(kept.status, [*kept.headers, ("X-Page-Cache", "hit")])
        for listener in HIT_LISTENERS:
            listener(environ["REQUEST_METHOD"], kept.endpoint, int(kept.status.split(" ", 1)[0]),
                     time.perf_counter() - started)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [kept.body]

    def _fresh(self, key: tuple, generation: str) -> Kept | None:
        kept = self.pages.peek(key)
        if kept is None:
            return None
        age = time.monotonic() - kept.stored
        if age >= self.seconds or (kept.generation != generation and age >= self.grace):
            return None
        self.pages.touch(key)
        return kept

    @contextlib.contextmanager
    def _rendering(self, key: tuple) -> Iterator[None]:
        with self.lock:
            entry = self.renderings.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self.lock:
                entry[1] -= 1
                if entry[1] == 0:
                    self.renderings.pop(key, None)

    def key(self, environ: dict[str, Any]) -> tuple | None:
        """What the page depends on for a visitor who is not signed in, or None if it must not be kept."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("HTTP_AUTHORIZATION"):
            return None
        path = environ.get("PATH_INFO", "")
        if path.startswith("/static/"):
            return None
        state: dict[str, Any] = {}
        cookies = environ.get("HTTP_COOKIE")
        if cookies:
            try:
                jar = SimpleCookie(cookies)
            except CookieError:
                return None
            if self.remember_cookie in jar:
                return None
            morsel = jar.get(self.session_cookie)
            if morsel is not None and morsel.value:
                try:
                    state = self.serializer.loads(morsel.value, max_age=self.max_age)
                except Exception:  # a bad or expired cookie: let the app deal with it
                    return None
                if "_user_id" in state or "_flashes" in state:
                    return None
        rest = {k: v for k, v in state.items() if k not in _NEUTRAL_KEYS}
        lang = visitor_language(rest.pop("lang", None),
                                parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE", ""), LanguageAccept))
        extra = hashlib.sha256(json.dumps(rest, sort_keys=True, default=str).encode()).hexdigest() if rest else ""
        return (environ.get("HTTP_HOST", ""), environ.get("wsgi.url_scheme", ""),
                environ.get("HTTP_X_FORWARDED_HOST", ""), environ.get("HTTP_X_FORWARDED_PROTO", ""), path,
                environ.get("QUERY_STRING", ""), lang, extra)

    def _render_and_keep(self, environ, start_response, key: tuple, generation: str) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        # HEAD is rendered as GET so that what is kept has its body; the app marks `inner` if it may be kept.
        inner = {**environ, "REQUEST_METHOD": "GET"} if environ["REQUEST_METHOD"] == "HEAD" else environ
        result = self.wsgi_app(inner, capture)
        if not inner.get(CACHEABLE):
            if inner is environ:
                return result
            if hasattr(result, "close"):  # a HEAD answered from a GET that may not be kept: no body
                result.close()
            return []
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "x-request-id"]
        if len(body) <= self.max_page_bytes:
            self.pages.put(key, Kept(captured["status"], headers, body, generation, time.monotonic(),
                                     str(inner[CACHEABLE])))
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def clear(self) -> None:
        self.pages.clear()


class _PlainTaggedJSON(TaggedJSONSerializer):
    """Flask's session format, read without an application context (this runs in front of Flask)."""

    def loads(self, value: str) -> Any:
        return self._untag_scan(json.loads(value))


def _session_serializer(app: Flask) -> URLSafeTimedSerializer:
    """The same signature as Flask's session cookie (SecureCookieSessionInterface)."""
    interface = SecureCookieSessionInterface()
    return URLSafeTimedSerializer(app.secret_key, salt=interface.salt, serializer=_PlainTaggedJSON(),
                                  signer_kwargs={"key_derivation": interface.key_derivation,
                                                 "digest_method": interface.digest_method})


def _may_keep(response: Response) -> bool:
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return False
    if response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed:
        return False
    if "Set-Cookie" in response.headers or "csrf_token" in g:
        return False
    control = response.cache_control
    if control.private or control.no_store or control.no_cache:
        return False
    if not current_user.is_anonymous:
        return False
    return not session.modified and "_flashes" not in session


def init_app(app: Flask) -> None:
    @app.after_request
    def _mark(response: Response) -> Response:
        if "consult_page_cache" in app.extensions and _may_keep(response):
            request.environ[CACHEABLE] = request.url_rule.endpoint if request.url_rule else "unmatched"
        return response

    if app.config["CONSULT_PAGE_CACHE_SECONDS"] > 0:
        install(app)


def install(app: Flask, seconds: float | None = None, grace: float | None = None) -> PageCache:
    """Put a page cache in front of the app (init_app does it unless CONSULT_PAGE_CACHE_SECONDS is 0)."""
    cfg = app.config
    generation = Generation(cfg.get("REDIS_URL"), Path(cfg["CONSULT_DATA_DIR"]) / "page-generation",
                            cfg["CONSULT_REDIS_TIMEOUT"])
    cache = PageCache(app, generation, seconds=seconds or cfg["CONSULT_PAGE_CACHE_SECONDS"],
                      max_pages=cfg["CONSULT_PAGE_CACHE_PAGES"], max_page_bytes=cfg["CONSULT_PAGE_CACHE_PAGE_BYTES"],
                      grace=cfg["CONSULT_PAGE_CACHE_GRACE_SECONDS"] if grace is None else grace)
    app.wsgi_app = cache  # type: ignore[method-assign]
    app.extensions["consult_page_cache"] = cache
    return cache


def uninstall(app: Flask) -> None:
    cache = app.extensions.pop("consult_page_cache")
    app.wsgi_app = cache.wsgi_app  # type: ignore[method-assign]


def _current_cache() -> PageCache | None:
    return current_app.extensions.get("consult_page_cache") if has_app_context() else None


# Any session that wrote and committed, in a web request or a worker task, moves the generation.
@event.listens_for(Session, "after_flush")
def _after_flush(db_session, _context) -> None:
    db_session.info["consult_wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["consult_wrote"] = True


@event.listens_for(Session, "after_commit")
def _after_commit(db_session) -> None:
    if db_session.info.pop("consult_wrote", False):
        cache = _current_cache()
        # Kept pages stay (the new generation makes them stale) so that single-flight rendering applies.
        if cache is not None and not cache.generation.bump():
            cache.clear()


@event.listens_for(Session, "after_rollback")
def _after_rollback(db_session) -> None:
    db_session.info.pop("consult_wrote", None)
