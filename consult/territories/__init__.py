"""Establishments and the territory tree."""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.territories import policies  # noqa: F401
    from consult.territories.views import bp

    app.register_blueprint(bp)
