"""Moderation: flags raised by readers, the establishment's queue, decisions and the moderation log."""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.moderation import models, policies, privacy  # noqa: F401  (registers rules and the exporter)
    from consult.moderation.views import bp

    app.register_blueprint(bp)
