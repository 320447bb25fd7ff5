"""The clinical project: programmes, projects and their six steps, frozen versions, the working copy of
every step, traceability, coverage and search."""

from functools import lru_cache

from flask import Flask

from consult.core.sanitize import markdown_to_html


def init_app(app: Flask) -> None:
    from consult.projects import analysis_views, item_views, policies, search  # noqa: F401  (routes, rules, DDL)
    from consult.projects.kinds import KINDS, display, label, number, programme_name
    from consult.projects.views import bp

    app.register_blueprint(bp)
    # Item descriptions are rendered on every working page and change seldom: the same text gives the
    # same sanitized HTML, so a bounded cache spares Markdown parsing on most requests.
    app.jinja_env.filters["item_markdown"] = lru_cache(maxsize=1024)(markdown_to_html)
    app.jinja_env.globals.update(
        enum_label=label, fmt_number=number, programme_name=programme_name, show=display,
        kind_label=lambda kind: KINDS[kind].label, kind_plural=lambda kind: KINDS[kind].plural)
