"""Configuration in three layers: these defaults, then instance/config.py, then environment variables.

Every key has a safe default so that the app runs with nothing set (SQLite and a serverless Celery
transport in instance/). A malformed value fails at start with a message naming the key.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the key."""


class Defaults:
    # "development" relaxes what plain-http loopback needs (cookies without Secure); "production" is strict.
    CONSULT_ENV = "production"
    # Signs sessions and e-mail links. Generated once into instance/secret_key when not given.
    SECRET_KEY: str | None = None
    # SQLAlchemy URL; empty means SQLite in the instance folder. PostgreSQL in production.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # Redis URL for the Celery broker and results; empty means the filesystem transport in instance/broker.
    REDIS_URL: str | None = None
    # Run Celery tasks in-process (unit tests only).
    CELERY_EAGER = False
    # Secure, HttpOnly, SameSite=Lax session cookies; Secure is dropped only in development.
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # How long "remember me" keeps someone signed in, in days.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # CSRF tokens on every form; the token lives as long as the session.
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT: int | None = None
    # Largest request body accepted, in bytes (attachments are 20 MB each, up to 5 per brief).
    MAX_CONTENT_LENGTH = 110 * 1024 * 1024
    # French (Québec) first; English complete.
    BABEL_DEFAULT_LOCALE = "fr_CA"
    BABEL_DEFAULT_TIMEZONE = "America/Montreal"
    BABEL_TRANSLATION_DIRECTORIES = "i18n/translations"
    CONSULT_LOCALES = ("fr_CA", "en_CA")
    # Rate limits (Flask-Limiter syntax); storage is memory by default, Redis when REDIS_URL is set.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    CONSULT_LOGIN_LIMIT = "10 per minute;50 per hour"
    CONSULT_POST_LIMIT = "30 per minute;300 per hour"
    # Sender address of outgoing e-mail.
    CONSULT_MAIL_FROM = "consult@localhost"
    # SMTP server; empty means write every message to instance/outbox/ instead.
    CONSULT_MAIL_SERVER: str | None = None
    CONSULT_MAIL_PORT = 587
    CONSULT_MAIL_USERNAME: str | None = None
    CONSULT_MAIL_PASSWORD: str | None = None
    CONSULT_MAIL_STARTTLS = True
    # Show the outbox to admins at /admin/outbox (development only; never on with SMTP).
    CONSULT_OUTBOX_PAGE = False
    # Lifetime of e-mail verification and password reset links, in hours.
    CONSULT_TOKEN_HOURS = 24
    # Minimum password length (characters).
    CONSULT_PASSWORD_MIN_LENGTH = 12
    # Public base URL used in e-mail links when no request is under way.
    CONSULT_BASE_URL = "http://127.0.0.1:5000"
    # Consultation rounds shorter than this many days get a warning when planners schedule them.
    CONSULT_ROUND_MIN_DAYS = 30
    # Attachments a brief may carry.
    CONSULT_BRIEF_MAX_ATTACHMENTS = 5
    # Minutes during which the author of a comment may still edit it (earlier text is kept and shown).
    CONSULT_COMMENT_EDIT_MINUTES = 30
    # Local hour (America/Montreal) at which daily digests of notices are sent.
    CONSULT_DIGEST_HOUR = 7
    # Summaries: a running compilation whose heartbeat is older than this many seconds lost its worker and is
    # taken over; open rounds are recompiled this often (seconds; 0 turns it off); extraction is shared with
    # this many helper tasks on the extraction queue.
    CONSULT_JOB_STALE_SECONDS = 120
    CONSULT_RECOMPILE_SECONDS = 3600
    CONSULT_EXTRACTION_HELPERS = 1
    # Seconds one attachment may take to be read before it is given the status "timeout".
    CONSULT_EXTRACTION_TIMEOUT = 30
    # The equity lens: an indicator of the needs portrait is a population figure when its name holds this word
    # and its unit is a count, not a rate (each project may set its own on its equity settings page).
    CONSULT_EQUITY_POPULATION_KEYWORD = "population"
    # A group whose share of participants is below this fraction of its share of the population is flagged.
    CONSULT_EQUITY_UNDER_REPRESENTED = 0.5
    # Rate limit of API reads, per token (or per address without one); API writes use CONSULT_POST_LIMIT.
    CONSULT_API_READ_LIMIT = "600 per minute;20000 per hour"
    # Largest JSON body the API reads, in bytes (briefs come as multipart, capped by MAX_CONTENT_LENGTH).
    CONSULT_API_MAX_JSON_BYTES = 64 * 1024
    # Items per page in every paginated list.
    CONSULT_PAGE_SIZE = 25
    # Pages for visitors who are not signed in are kept by each web process and served again until the next
    # write (see consult/core/pagecache.py), for at most this many seconds; 0 turns the page cache off.
    CONSULT_PAGE_CACHE_SECONDS = 30
    # A kept page younger than this is still served after a write (a visitor reads it at most this much older
    # than the last write), so that writes several times a second do not have every page rendered again each time.
    CONSULT_PAGE_CACHE_GRACE_SECONDS = 2
    # How many pages each web process keeps, and the largest page kept, in bytes.
    CONSULT_PAGE_CACHE_PAGES = 1000
    CONSULT_PAGE_CACHE_PAGE_BYTES = 1024 * 1024
    # Pieces of pages that read the same for every signed-in reader (a comment with its answer) are rendered
    # once and kept by each web process (see consult/core/fragments.py): how many; 0 turns this off.
    CONSULT_FRAGMENT_CACHE_ENTRIES = 20000
    # Where uploads and other per-deployment files live (defaults to the instance folder).
    CONSULT_DATA_DIR: str | None = None
    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    CONSULT_PROXIES = 0
    # The person in charge of the protection of personal information (Law 25), named in the privacy notice.
    CONSULT_PRIVACY_OFFICER: str | None = None
    CONSULT_PRIVACY_EMAIL: str | None = None
    # Log format: "json" (one line per event) or "text".
    CONSULT_LOG_FORMAT = "text"
    # Rate limits fail open when their storage (Redis) is unreachable: signing in keeps working while Redis restarts.
    RATELIMIT_SWALLOW_ERRORS = True

    # --- Production operations (docs/operations.md) ---
    # PostgreSQL pool per process (ignored on SQLite): connections kept open; extra ones allowed in a burst.
    CONSULT_DB_POOL_SIZE = 5
    CONSULT_DB_MAX_OVERFLOW = 10
    # Seconds before a pooled PostgreSQL connection is replaced (a firewall or pgbouncer may drop idle ones).
    CONSULT_DB_POOL_RECYCLE = 1800
    # Seconds a request waits for a free pooled connection before it fails with a 503 page.
    CONSULT_DB_POOL_TIMEOUT = 10
    # Seconds to wait for PostgreSQL to accept a connection, so a database that is down gives a 503, not a hang.
    CONSULT_DB_CONNECT_TIMEOUT = 5
    # Seconds to wait for Redis (to connect, then for each reply) in the broker, the results and rate limits.
    CONSULT_REDIS_TIMEOUT = 3
    # Seconds Redis waits for a worker to acknowledge a task before another worker gets it; above every time_limit.
    CONSULT_BROKER_VISIBILITY_TIMEOUT = 3600
    # Seconds between a worker's sweeps that hand back the tasks of a worker that died (Redis only).
    CONSULT_BROKER_RESTORE_INTERVAL = 30
    # Per queue: worker processes, soft and hard time limit of one task (seconds), memory a worker process may
    # reach before it is replaced (KiB), and a Celery rate limit per worker ("10/s") or None. A dict given in
    # instance/config.py or CONSULT_QUEUES (JSON) is merged over these, queue by queue.
    CONSULT_QUEUES: dict[str, dict[str, Any]] = {
        "mail": {"concurrency": 2, "soft_time_limit": 60, "time_limit": 90,
                 "max_memory_per_child": 256_000, "rate_limit": None},
        "extraction": {"concurrency": 2, "soft_time_limit": 300, "time_limit": 360,
                       "max_memory_per_child": 512_000, "rate_limit": None},
        "analysis": {"concurrency": 2, "soft_time_limit": 600, "time_limit": 720,
                     "max_memory_per_child": 1_024_000, "rate_limit": None},
        # A province-scale compilation peaks near 1.3 GB; under this limit the process (and its caches of
        # analyses, which make periodic recompilations fast) survives from one compilation to the next.
        "compilation": {"concurrency": 1, "soft_time_limit": 1500, "time_limit": 1800,
                        "max_memory_per_child": 1_600_000, "rate_limit": None},
        "default": {"concurrency": 2, "soft_time_limit": 300, "time_limit": 360,
                    "max_memory_per_child": 256_000, "rate_limit": None},
    }
    # Where attachments are stored: "local" (a folder, which may be a mount shared by every host) or "s3".
    CONSULT_STORAGE = "local"
    # Folder of the local storage; empty means <CONSULT_DATA_DIR>/uploads.
    CONSULT_STORAGE_PATH: str | None = None
    # S3-compatible bucket (with "s3"): name, key prefix, endpoint (empty for AWS), region, and credentials
    # (empty: boto3's usual sources, e.g. AWS_ACCESS_KEY_ID or an instance role).
    CONSULT_S3_BUCKET: str | None = None
    CONSULT_S3_PREFIX = ""
    CONSULT_S3_ENDPOINT_URL: str | None = None
    CONSULT_S3_REGION: str | None = None
    CONSULT_S3_ACCESS_KEY: str | None = None
    CONSULT_S3_SECRET_KEY: str | None = None
    # Largest file the storage accepts, in bytes, counted while it streams in (an attachment is 20 MB at most).
    CONSULT_STORAGE_MAX_BYTES = 20 * 1024 * 1024
    # Bearer token that opens /metrics and the workers' metrics port; with none, /metrics answers 404.
    CONSULT_METRICS_TOKEN: str | None = None
    # Port on which each Celery worker serves its task metrics (0: none), and the address it listens on.
    CONSULT_WORKER_METRICS_PORT = 0
    CONSULT_WORKER_METRICS_ADDR = "127.0.0.1"


# Environment variables that override a key, with how to read them.
_ENV: dict[str, tuple[str, type | str]] = {
    "CONSULT_ENV": ("CONSULT_ENV", "choice:development,production"),
    "CONSULT_SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", "dburl"),
    "REDIS_URL": ("REDIS_URL", "redisurl"),
    "CONSULT_CELERY_EAGER": ("CELERY_EAGER", bool),
    "CONSULT_MAIL_FROM": ("CONSULT_MAIL_FROM", str),
    "CONSULT_MAIL_SERVER": ("CONSULT_MAIL_SERVER", str),
    "CONSULT_MAIL_PORT": ("CONSULT_MAIL_PORT", int),
    "CONSULT_MAIL_USERNAME": ("CONSULT_MAIL_USERNAME", str),
    "CONSULT_MAIL_PASSWORD": ("CONSULT_MAIL_PASSWORD", str),
    "CONSULT_MAIL_STARTTLS": ("CONSULT_MAIL_STARTTLS", bool),
    "CONSULT_OUTBOX_PAGE": ("CONSULT_OUTBOX_PAGE", bool),
    "CONSULT_BASE_URL": ("CONSULT_BASE_URL", "url"),
    "CONSULT_PAGE_SIZE": ("CONSULT_PAGE_SIZE", int),
    "CONSULT_PAGE_CACHE_SECONDS": ("CONSULT_PAGE_CACHE_SECONDS", int),
    "CONSULT_PAGE_CACHE_PAGES": ("CONSULT_PAGE_CACHE_PAGES", int),
    "CONSULT_PAGE_CACHE_GRACE_SECONDS": ("CONSULT_PAGE_CACHE_GRACE_SECONDS", int),
    "CONSULT_PAGE_CACHE_PAGE_BYTES": ("CONSULT_PAGE_CACHE_PAGE_BYTES", int),
    "CONSULT_FRAGMENT_CACHE_ENTRIES": ("CONSULT_FRAGMENT_CACHE_ENTRIES", int),
    "CONSULT_DATA_DIR": ("CONSULT_DATA_DIR", str),
    "CONSULT_PROXIES": ("CONSULT_PROXIES", int),
    "CONSULT_LOG_FORMAT": ("CONSULT_LOG_FORMAT", "choice:json,text"),
    "CONSULT_RATELIMIT_ENABLED": ("RATELIMIT_ENABLED", bool),
    "CONSULT_PRIVACY_OFFICER": ("CONSULT_PRIVACY_OFFICER", str),
    "CONSULT_PRIVACY_EMAIL": ("CONSULT_PRIVACY_EMAIL", str),
    "CONSULT_DB_POOL_SIZE": ("CONSULT_DB_POOL_SIZE", int),
    "CONSULT_DB_MAX_OVERFLOW": ("CONSULT_DB_MAX_OVERFLOW", int),
    "CONSULT_DB_POOL_RECYCLE": ("CONSULT_DB_POOL_RECYCLE", int),
    "CONSULT_DB_POOL_TIMEOUT": ("CONSULT_DB_POOL_TIMEOUT", int),
    "CONSULT_DB_CONNECT_TIMEOUT": ("CONSULT_DB_CONNECT_TIMEOUT", int),
    "CONSULT_REDIS_TIMEOUT": ("CONSULT_REDIS_TIMEOUT", int),
    "CONSULT_BROKER_VISIBILITY_TIMEOUT": ("CONSULT_BROKER_VISIBILITY_TIMEOUT", int),
    "CONSULT_BROKER_RESTORE_INTERVAL": ("CONSULT_BROKER_RESTORE_INTERVAL", int),
    "CONSULT_QUEUES": ("CONSULT_QUEUES", "json"),
    "CONSULT_STORAGE": ("CONSULT_STORAGE", "choice:local,s3"),
    "CONSULT_STORAGE_PATH": ("CONSULT_STORAGE_PATH", str),
    "CONSULT_S3_BUCKET": ("CONSULT_S3_BUCKET", str),
    "CONSULT_S3_PREFIX": ("CONSULT_S3_PREFIX", str),
    "CONSULT_S3_ENDPOINT_URL": ("CONSULT_S3_ENDPOINT_URL", "url"),
    "CONSULT_S3_REGION": ("CONSULT_S3_REGION", str),
    "CONSULT_S3_ACCESS_KEY": ("CONSULT_S3_ACCESS_KEY", str),
    "CONSULT_S3_SECRET_KEY": ("CONSULT_S3_SECRET_KEY", str),
    "CONSULT_STORAGE_MAX_BYTES": ("CONSULT_STORAGE_MAX_BYTES", int),
    "CONSULT_METRICS_TOKEN": ("CONSULT_METRICS_TOKEN", str),
    "CONSULT_ROUND_MIN_DAYS": ("CONSULT_ROUND_MIN_DAYS", int),
    "CONSULT_BRIEF_MAX_ATTACHMENTS": ("CONSULT_BRIEF_MAX_ATTACHMENTS", int),
    "CONSULT_COMMENT_EDIT_MINUTES": ("CONSULT_COMMENT_EDIT_MINUTES", int),
    "CONSULT_DIGEST_HOUR": ("CONSULT_DIGEST_HOUR", int),
    "CONSULT_JOB_STALE_SECONDS": ("CONSULT_JOB_STALE_SECONDS", int),
    "CONSULT_RECOMPILE_SECONDS": ("CONSULT_RECOMPILE_SECONDS", int),
    "CONSULT_EXTRACTION_HELPERS": ("CONSULT_EXTRACTION_HELPERS", int),
    "CONSULT_EXTRACTION_TIMEOUT": ("CONSULT_EXTRACTION_TIMEOUT", int),
    "CONSULT_API_READ_LIMIT": ("CONSULT_API_READ_LIMIT", str),
    "CONSULT_API_MAX_JSON_BYTES": ("CONSULT_API_MAX_JSON_BYTES", int),
    "CONSULT_WORKER_METRICS_PORT": ("CONSULT_WORKER_METRICS_PORT", int),
    "CONSULT_WORKER_METRICS_ADDR": ("CONSULT_WORKER_METRICS_ADDR", str),
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _parse(env_name: str, raw: str, kind: type | str) -> Any:
    value = raw.strip()
    if kind is str:
        return value
    if kind is bool:
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ConfigError(f"{env_name} must be true or false, not {raw!r}")
    if kind is int:
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{env_name} must be a whole number, not {raw!r}") from None
        if number < 0:
            raise ConfigError(f"{env_name} must not be negative")
        return number
    if isinstance(kind, str) and kind.startswith("choice:"):
        choices = kind.split(":", 1)[1].split(",")
        if value not in choices:
            raise ConfigError(f"{env_name} must be one of {', '.join(choices)}, not {raw!r}")
        return value
    if kind == "dburl":
        scheme = urlsplit(value).scheme
        if not value or scheme.split("+")[0] not in {"sqlite", "postgresql", "postgres"}:
            raise ConfigError(f"{env_name} must be a postgresql:// or sqlite:// URL, not {raw!r}")
        if scheme in {"postgres", "postgresql"}:  # use psycopg 3, the driver we install
            value = "postgresql+psycopg" + value[len(scheme):]
        return value
    if kind == "redisurl":
        if urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
            raise ConfigError(f"{env_name} must be a redis:// URL, not {raw!r}")
        return value
    if kind == "json":
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ConfigError(f"{env_name} must be JSON ({exc}), not {raw!r}") from None
    if kind == "url":
        if urlsplit(value).scheme not in {"http", "https"} or not urlsplit(value).netloc:
            raise ConfigError(f"{env_name} must be an http(s):// URL, not {raw!r}")
        return value.rstrip("/")
    raise AssertionError(kind)


def load(app, overrides: dict[str, Any] | None = None) -> None:
    """Fill app.config from the three layers, then derive and check what depends on them."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for env_name, (key, kind) in _ENV.items():
        if env_name in os.environ:
            app.config[key] = _parse(env_name, os.environ[env_name], kind)
    if overrides:
        app.config.update(overrides)
    _derive(app)


def _derive(app) -> None:
    cfg = app.config
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    data_dir = Path(cfg["CONSULT_DATA_DIR"] or instance)
    cfg["CONSULT_DATA_DIR"] = str(data_dir)
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    if len(cfg["SECRET_KEY"]) < 16:
        raise ConfigError("CONSULT_SECRET_KEY must be at least 16 characters long")
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{data_dir / 'consult.sqlite'}"
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite: wait for a writer instead of failing, as the web app and the worker share the file.
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    elif cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = _postgresql_options(cfg)
    _check_operations(cfg)
    if cfg["CONSULT_ENV"] == "development":
        cfg["SESSION_COOKIE_SECURE"] = False
        cfg["REMEMBER_COOKIE_SECURE"] = False
    if cfg.get("REDIS_URL") and cfg["RATELIMIT_STORAGE_URI"] == "memory://":
        cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"]
    if cfg["RATELIMIT_STORAGE_URI"].startswith(("redis", "rediss")):
        timeout = cfg["CONSULT_REDIS_TIMEOUT"]
        cfg["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": timeout, "socket_timeout": timeout,
                                            **cfg.get("RATELIMIT_STORAGE_OPTIONS", {})}
    if cfg["CONSULT_MAIL_SERVER"]:
        cfg["CONSULT_OUTBOX_PAGE"] = False
    if cfg["CONSULT_PAGE_SIZE"] < 1:
        raise ConfigError("CONSULT_PAGE_SIZE must be at least 1")
    for sub in ("outbox", "uploads"):
        (data_dir / sub).mkdir(parents=True, exist_ok=True)


def _postgresql_options(cfg) -> dict[str, Any]:
    """A bounded pool and a short connect timeout; keys set in SQLALCHEMY_ENGINE_OPTIONS win."""
    options: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_size": cfg["CONSULT_DB_POOL_SIZE"],
        "max_overflow": cfg["CONSULT_DB_MAX_OVERFLOW"],
        "pool_recycle": cfg["CONSULT_DB_POOL_RECYCLE"],
        "pool_timeout": cfg["CONSULT_DB_POOL_TIMEOUT"],
    }
    given = dict(cfg["SQLALCHEMY_ENGINE_OPTIONS"])
    # gssencmode=disable: libpq otherwise probes for Kerberos (GSSAPI) encryption on every connection, which
    # nobody uses between the app and its database, and whose code has crashed threaded clients (psycopg #1213).
    connect_args = {"connect_timeout": cfg["CONSULT_DB_CONNECT_TIMEOUT"], "gssencmode": "disable",
                    **given.pop("connect_args", {})}
    return {**options, **given, "connect_args": connect_args}


_QUEUE_KEYS = {"concurrency", "soft_time_limit", "time_limit", "max_memory_per_child", "rate_limit"}


def _check_operations(cfg) -> None:
    """Merge per-queue settings over the defaults and refuse combinations that would lose or repeat work."""
    given = cfg["CONSULT_QUEUES"]
    if not isinstance(given, dict):
        raise ConfigError("CONSULT_QUEUES must map queue names to their settings")
    unknown = set(given) - set(Defaults.CONSULT_QUEUES)
    if unknown:
        raise ConfigError(f"CONSULT_QUEUES names unknown queues: {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(Defaults.CONSULT_QUEUES)})")
    queues: dict[str, dict[str, Any]] = {}
    for name, defaults in Defaults.CONSULT_QUEUES.items():
        settings = given.get(name) or {}
        if not isinstance(settings, dict) or set(settings) - _QUEUE_KEYS:
            raise ConfigError(f"CONSULT_QUEUES[{name!r}] may only set {', '.join(sorted(_QUEUE_KEYS))}")
        merged = {**defaults, **settings}
        for key in _QUEUE_KEYS - {"rate_limit"}:
            if not isinstance(merged[key], int) or isinstance(merged[key], bool) or merged[key] < 1:
                raise ConfigError(f"CONSULT_QUEUES[{name!r}][{key!r}] must be a whole number of at least 1")
        if merged["soft_time_limit"] >= merged["time_limit"]:
            raise ConfigError(f"CONSULT_QUEUES[{name!r}]: soft_time_limit must be below time_limit, so a "
                              "task can record its failure before it is killed")
        if merged["rate_limit"] is not None and not isinstance(merged["rate_limit"], str):
            raise ConfigError(f"CONSULT_QUEUES[{name!r}]['rate_limit'] must be like \"10/s\" or null")
        queues[name] = merged
    cfg["CONSULT_QUEUES"] = queues
    longest = max(q["time_limit"] for q in queues.values())
    if cfg["CONSULT_BROKER_VISIBILITY_TIMEOUT"] <= longest:
        # Redis would hand a task still running to a second worker: the same work done twice.
        raise ConfigError(f"CONSULT_BROKER_VISIBILITY_TIMEOUT ({cfg['CONSULT_BROKER_VISIBILITY_TIMEOUT']}s) "
                          f"must exceed the longest time_limit in CONSULT_QUEUES ({longest}s)")
    for key in ("CONSULT_DB_CONNECT_TIMEOUT", "CONSULT_REDIS_TIMEOUT", "CONSULT_BROKER_RESTORE_INTERVAL",
                "CONSULT_DB_POOL_SIZE", "CONSULT_STORAGE_MAX_BYTES"):
        if cfg[key] < 1:
            raise ConfigError(f"{key} must be at least 1")
    if cfg["CONSULT_STORAGE"] not in ("local", "s3"):
        raise ConfigError(f"CONSULT_STORAGE must be local or s3, not {cfg['CONSULT_STORAGE']!r}")
    if cfg["CONSULT_STORAGE"] == "s3" and not cfg["CONSULT_S3_BUCKET"]:
        raise ConfigError("CONSULT_S3_BUCKET must be set when CONSULT_STORAGE is s3")


def _instance_secret(path: Path) -> str:
    """A per-installation random key, created once so that sessions survive restarts."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
