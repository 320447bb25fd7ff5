"""Demo summary: the closed round of the participation demo, compiled, reviewed and published.

`load(report)` does what the demo planner (planif@demo.consult.ca) would do on the round "Première
consultation sur les besoins des aînés du Centre-Est": ask for a compilation, which runs here, in this process,
exactly as a worker runs it (the Celery task: claim the job, then the pipeline); review the themes the workers
proposed (with so few inputs they are as many as the comments: the planner sets them aside and names five
themes with examples instead); compile again so the approved themes are assigned to every input; publish.
Publishing renders the public PDF and DOCX files itself; the download links render them on the spot if they
are missing. A person trying the demo then finds, on that round,
a published summary whose quotes open their sources.

Idempotent like the other demos: once the round has a published summary, nothing is done. The pipeline commits
(every heartbeat, and the summary it stores), so this runs last in consult.seed, after everything the summary
counts (participation, and the equity demo's consented profiles) and commits what the other demos added first.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from consult.accounts.models import User
from consult.core.db import db
from consult.participation.demo import PLANNER, PROJECT, ROUND_TITLE
from consult.projects.models import ClinicalProject
from consult.rounds.models import ConsultationRound
from consult.summaries.models import JobState, Summary, SummaryJob, SummaryState, Theme, ThemeState

log = logging.getLogger("consult.summaries.demo")


def demo_round() -> ConsultationRound | None:
    """The participation demo's closed round, by its natural key (project and title)."""
    return db.session.scalar(select(ConsultationRound).join(ClinicalProject, ConsultationRound.project_id
                                                            == ClinicalProject.id)
                             .where(ClinicalProject.title == PROJECT, ConsultationRound.title == ROUND_TITLE)
                             .limit(1))


def published_summary(round_: ConsultationRound) -> Summary | None:
    return db.session.scalar(select(Summary).where(Summary.round_id == round_.id,
                                                   Summary.state == SummaryState.published).limit(1))


def summary_path() -> str | None:
    """The page of the demo round's published summary ("/rounds/<id>/summary"), once there is one."""
    round_ = demo_round()
    if round_ is None or published_summary(round_) is None:
        return None
    with current_app.test_request_context():
        return url_for("summaries.round_summary", round_id=round_.id)


def load(report: Any) -> None:
    """Compile, review and publish the demo round's summary unless it has one. `report.count(what, created)`."""
    round_ = demo_round()
    planner = db.session.scalar(select(User).where(User.email == PLANNER))
    if round_ is None or planner is None:
        return
    if published_summary(round_) is not None:
        report.count("published summaries", False)
        return
    summary = _compile(round_, planner)
    if summary is not None and not (summary.content or {}).get("themes_reviewed"):
        _review(round_, planner)
        summary = _compile(round_, planner)   # approved themes are assigned to every input by a compilation
    if summary is None:
        return
    from consult.summaries import publishing

    reasons = publishing.problems(summary)
    if reasons:
        log.warning("demo summary %s not published: %s", summary.id, " ".join(reasons))
        return
    publishing.publish(summary, planner)
    db.session.flush()
    report.count("published summaries", True)


def _compile(round_: ConsultationRound, planner: User) -> Summary | None:
    """One compilation of `round_`, run to its end here; the round's latest summary, or None if it failed."""
    # Imported here: the pipeline loads spaCy and scikit-learn, which a second run of the seed never needs.
    from consult.summaries import jobs, tasks

    job, _created = jobs.request(round_, planner)
    job_id = job.id
    # A worker only sees a committed job (this also commits what the other demos added). The message sent on
    # commit finds the job already done when a worker receives it; with eager Celery it runs the job right here.
    db.session.commit()
    tasks.compile_round.apply(args=(job_id,))
    state, error = db.session.execute(select(SummaryJob.state, SummaryJob.error)
                                      .where(SummaryJob.id == job_id)).one()
    if state is not JobState.succeeded:
        log.warning("demo compilation of round %s ended %s: %s", round_.id, state.value, error or "")
        return None
    return db.session.scalar(select(Summary).where(Summary.round_id == round_.id)
                             .order_by(Summary.number.desc()).limit(1))


# The demo planner's own themes: with a handful of inputs, the workers' proposals are as many themes as
# comments, so the planner names the subjects heard and gives examples (review.add), as a planner would.
PLANNER_THEMES = [
    ("Isolement des aînés et visites d'amitié",
     "Aînés qui ne sortent plus, attente d'un jumelage ou d'une visite d'amitié, manque de bénévoles.",
     ["Plusieurs voisins âgés ne sortent plus de l'hiver et attendent des mois une visite d'amitié.",
      "Des dizaines de personnes attendent un jumelage avec un bénévole."]),
    ("Transport adapté et accès aux rendez-vous",
     "Attente du transport adapté, trottoirs non déneigés, rendez-vous médicaux manqués.",
     ["Adapted transport makes people miss medical appointments.",
      "L'attente du transport adapté dépasse souvent une heure."]),
    ("Logement : loyers et évictions",
     "Coût des loyers, évictions pour rénovation qui chassent les aînés de leur quartier.",
     ["Les évictions pour rénovation chassent les aînés du quartier."]),
    ("Revenu et coût de la vie",
     "Pension de vieillesse insuffisante, choix entre médicaments et épicerie.",
     ["Avec la pension seulement, il faut choisir entre les médicaments et l'épicerie."]),
    ("Aidants et soutien à domicile",
     "Délais d'accès au soutien à domicile, épuisement des proches aidants âgés.",
     ["Les proches aidants âgés s'épuisent en attendant le soutien à domicile."]),
]


def _review(round_: ConsultationRound, planner: User) -> None:
    """As the planner would with a handful of inputs: set the workers' proposals aside and name the themes."""
    from consult.summaries import review

    for theme in db.session.scalars(select(Theme).where(Theme.round_id == round_.id,
                                                       Theme.state == ThemeState.proposed)
                                    .order_by(Theme.position, Theme.id)).all():
        review.discard(theme, planner)
    for label, description, examples in PLANNER_THEMES:
        review.add(round_, planner, label, description, examples)
