"""The home page and the health endpoint."""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.core import permissions
    from consult.core.sanitize import markdown_to_html
    from consult.core.timefmt import date_filter, datetime_filter
    from consult.main.views import bp

    app.register_blueprint(bp)
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["markdown"] = markdown_to_html
    app.jinja_env.globals["can"] = permissions.template_can
