"""Configuration in three layers: these defaults, then instance/config.py, then environment variables.

Every key has a safe default so that the app runs with nothing set (SQLite and a serverless Celery
transport in instance/). A malformed value fails at start with a message naming the key.
"""

from __future__ import annotations

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
    # Items per page in every paginated list.
    CONSULT_PAGE_SIZE = 25
    # Where uploads and other per-deployment files live (defaults to the instance folder).
    CONSULT_DATA_DIR: str | None = None
    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    CONSULT_PROXIES = 0
    # The person in charge of the protection of personal information (Law 25), named in the privacy notice.
    CONSULT_PRIVACY_OFFICER: str | None = None
    CONSULT_PRIVACY_EMAIL: str | None = None
    # Log format: "json" (one line per event) or "text".
    CONSULT_LOG_FORMAT = "text"


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
    "CONSULT_DATA_DIR": ("CONSULT_DATA_DIR", str),
    "CONSULT_PROXIES": ("CONSULT_PROXIES", int),
    "CONSULT_LOG_FORMAT": ("CONSULT_LOG_FORMAT", "choice:json,text"),
    "CONSULT_RATELIMIT_ENABLED": ("RATELIMIT_ENABLED", bool),
    "CONSULT_PRIVACY_OFFICER": ("CONSULT_PRIVACY_OFFICER", str),
    "CONSULT_PRIVACY_EMAIL": ("CONSULT_PRIVACY_EMAIL", str),
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
    if cfg["CONSULT_ENV"] == "development":
        cfg["SESSION_COOKIE_SECURE"] = False
        cfg["REMEMBER_COOKIE_SECURE"] = False
    if cfg.get("REDIS_URL") and cfg["RATELIMIT_STORAGE_URI"] == "memory://":
        cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"]
    if cfg["CONSULT_MAIL_SERVER"]:
        cfg["CONSULT_OUTBOX_PAGE"] = False
    if cfg["CONSULT_PAGE_SIZE"] < 1:
        raise ConfigError("CONSULT_PAGE_SIZE must be at least 1")
    for sub in ("outbox", "uploads"):
        (data_dir / sub).mkdir(parents=True, exist_ok=True)


def _instance_secret(path: Path) -> str:
    """A per-installation random key, created once so that sessions survive restarts."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
