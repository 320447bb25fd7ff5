"""Consultation summaries: the pipeline that turns briefs and comments into a summary planners can trust.

Jobs (jobs.py, tasks.py, pipeline.py) extract, analyse, find and assign themes, compile (compile.py) and render
(render/); planners watch the job, review the themes (review.py) and publish the summary (summary_views.py).
"""

import importlib
import importlib.util

from flask import Flask

PARTS = ("policies", "job_views", "review_views", "summary_views", "tasks")


def init_app(app: Flask) -> None:
    from consult.summaries import models  # noqa: F401
    from consult.summaries.blueprint import bp

    for part in PARTS:
        if importlib.util.find_spec(f"consult.summaries.{part}"):
            importlib.import_module(f"consult.summaries.{part}")
    app.register_blueprint(bp)
