"""Platform administration: people and their roles, the development outbox."""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.admin.views import bp

    app.register_blueprint(bp, url_prefix="/admin")
