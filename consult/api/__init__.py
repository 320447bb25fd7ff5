"""The public API: /api/v1 (JSON, documented by a generated OpenAPI 3.1 document), personal tokens, the
API page, and each round's open data.

Reads serve public content to anyone; writes act as the token's owner through the pages' own policies,
forms and services (views_participation.py). See blueprint.py for what every request goes through.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.api import (  # noqa: F401  (tables, permission rules, Law 25 hooks)  # noqa: F401
        models,
        policies,
        privacy,
        views_directory,
        views_meta,
        views_participation,
        views_projects,
        views_rounds,
    )
    from consult.api.blueprint import bp, install_routing_errors
    from consult.api.pages import bp as pages

    app.config.setdefault("CONSULT_API_READ_LIMIT", "600 per minute;20000 per hour")
    app.config.setdefault("CONSULT_API_MAX_JSON_BYTES", 64 * 1024)
    app.register_blueprint(bp)
    app.register_blueprint(pages)
    install_routing_errors(app)
