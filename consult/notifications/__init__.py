"""Notifications: following projects, delivery settings (at once, daily digest, none), the daily digest,
and one-click unsubscribe."""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.notifications import models, policies, privacy, tasks  # noqa: F401  (registers)
    from consult.notifications.services import is_following
    from consult.notifications.views import bp

    app.register_blueprint(bp)
    # {% if following(project.id) %} for the follow / unfollow button (templates/notifications/_follow.html).
    app.jinja_env.globals["following"] = lambda project_id: is_following(_current_user(), project_id)


def _current_user():
    from flask_login import current_user

    return current_user
