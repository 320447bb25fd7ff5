"""Operations: Prometheus metrics, task ids in logs, failed tasks (recorded, listed at /admin/jobs and sent
again), 503 pages when a backing service is down, and `consult backup` / `consult restore`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.ops import cli, logcontext, metrics, models, policies, signals, unavailable  # noqa: F401
    from consult.ops.views import bp

    # The Celery signal handlers reach the Flask app (its database, its settings) through the task's app.
    app.extensions["celery"].flask_app = app
    logcontext.install()
    metrics.init_app(app)
    unavailable.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(cli.backup_command)
    app.cli.add_command(cli.restore_command)
