"""consult: a clinical project run in the open."""

from __future__ import annotations

from typing import Any

from flask import Flask

from consult import config as config_module

# Domain modules, in the order they are wired; each may have models, policies, views, tasks, cli.
MODULES = ("accounts", "territories", "organizations", "mail", "main", "admin", "projects", "storage", "ops",
           "rounds", "participation", "equity", "moderation", "notifications", "summaries", "api")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates",
                static_folder="../static")
    config_module.load(app, config)

    from consult.core import errors, fragments, logs, pagecache, security
    from consult.core.tasking import init_celery
    from consult.extensions import babel, csrf, db, limiter, login_manager, migrate
    from consult.i18n import locale

    logs.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=locale.select_locale, timezone_selector=locale.select_timezone)
    locale.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    fragments.init_app(app)
    init_celery(app)

    import importlib

    for name in MODULES:
        module = importlib.import_module(f"consult.{name}")
        module.init_app(app)

    from consult.cli import register_commands

    register_commands(app)
    # Last, so that it sits in front of every other WSGI layer.
    pagecache.init_app(app)
    return app
