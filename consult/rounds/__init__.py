"""Consultation rounds: which published versions are in consultation, under what mandate and participation
level, for whom, between which dates, with which guiding questions; who was invited and who took part;
opened and closed on time by the beat scheduler (task `rounds.tick`)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.rounds import models, policies, tasks  # noqa: F401  (tables, rules, the beat task)
    from consult.rounds.views import bp

    app.register_blueprint(bp)
