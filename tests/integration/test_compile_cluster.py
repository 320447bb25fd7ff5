"""A round compiled by two Celery workers, as if on two hosts, over one database and one Redis: the worker
running the compilation is killed with SIGKILL in the middle of it. Beat's sweep sends the job again, the
other worker takes it over, and the round gets exactly one summary, with every input counted.

Also the reading of attachments is shared: the compilation sends helper tasks to the extraction queue, and
both workers read files; a hostile file among them gets the status "unreadable" and stops nothing.
"""

from __future__ import annotations

import io
import json
import os
import random
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consult.core.db import db, now_utc
from consult.participation.models import Brief, BriefAttachment, BriefState, BriefVisibility
from consult.sampledata import texts
from consult.sampledata.pdf import make_pdf
from consult.summaries.models import AttachmentText, JobState, Summary, SummaryJob
from tests.fixtures.services import current_celery, wait_until
from tests.integration.test_two_workers import SECRET, start_workers
from tests.summaries.pipeline_data import add_comments

pytestmark = pytest.mark.integration

BRIEFS = 24
COMMENTS = 400

COMPILE_ENV = {
    "CONSULT_BROKER_VISIBILITY_TIMEOUT": "400",
    "CONSULT_JOB_STALE_SECONDS": "4",
    "CONSULT_EXTRACTION_TIMEOUT": "3",
    "CONSULT_EXTRACTION_HELPERS": "1",
    "CONSULT_QUEUES": json.dumps({q: {"soft_time_limit": 300, "time_limit": 320}
                                  for q in ("mail", "extraction", "analysis", "compilation", "default")}),
}


@pytest.fixture
def web(app, make_app, tmp_path: Path, redis_url: str):
    return make_app({
        "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "CONSULT_DATA_DIR": str(tmp_path / "data"), "REDIS_URL": redis_url, "CELERY_EAGER": False,
        "RATELIMIT_ENABLED": False, "SERVER_NAME": "localhost",
        **{key: (int(value) if value.isdigit() else json.loads(value)) for key, value in COMPILE_ENV.items()},
    })


def _briefs(consultation, storage) -> None:
    rng = random.Random(7)
    for number in range(BRIEFS):
        brief = Brief(round_id=consultation.round.id, organization_id=consultation.organization.id,
                      author_id=consultation.representative.id, title=f"Mémoire {number}",
                      body=texts.comment(rng), visibility=BriefVisibility.public, state=BriefState.submitted,
                      submitted_at=now_utc())
        db.session.add(brief)
        db.session.flush()
        data = make_pdf(texts.brief_pages(rng, "Carrefour des aînés", pages=5), title=f"Mémoire {number}")
        key = storage.put(io.BytesIO(data))
        db.session.add(BriefAttachment(brief_id=brief.id, storage_key=key, filename=f"memoire-{number}.pdf",
                                       media_type="application/pdf", size=len(data)))
    # A hostile file among them: a "PDF" that is none. It gets a status; it stops nothing.
    hostile = b"%PDF-1.7\n" + bytes(range(256)) * 64
    key = storage.put(io.BytesIO(hostile))
    db.session.add(BriefAttachment(brief_id=brief.id, storage_key=key, filename="piege.pdf",
                                   media_type="application/pdf", size=len(hostile)))
    db.session.commit()


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def test_a_worker_killed_mid_compilation_leaves_one_summary_and_loses_no_input(web, consultation, redis_url,
                                                                                  tmp_path):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    add_comments(consultation, extra=COMMENTS)
    _briefs(consultation, web.extensions["storage"])
    round_id = consultation.round.id
    data_dir = Path(web.config["CONSULT_DATA_DIR"])

    with start_workers(["host-a", "host-b"], database_url=web.config["SQLALCHEMY_DATABASE_URI"],
                       data_dir=data_dir, redis_url=redis_url, logs=tmp_path / "logs", env=COMPILE_ENV,
                       queues="default,compilation,extraction") as workers:
        with web.test_request_context(), current_celery(web):
            from consult.rounds.models import ConsultationRound
            from consult.summaries import jobs

            job, _created = jobs.request(db.session.get(ConsultationRound, round_id), None)
            db.session.commit()      # the job is sent to Redis now
            job_id = job.id
            db.session.remove()

        def running_job() -> SummaryJob | None:
            with web.app_context():
                found = db.session.get(SummaryJob, job_id)
                db.session.expunge_all()
                db.session.remove()
            return found

        # Kill the host holding the job once it is well into the work (reading files or analysing).
        def midway() -> bool:
            found = running_job()
            return found is not None and found.state is JobState.running and found.progress >= 10
        wait_until(midway, timeout=120, interval=0.1, what="the compilation to be under way")
        holder_pid = int(running_job().worker.rsplit(":", 1)[1])
        holder = next(w for w in workers.values() if _pgid(holder_pid) == w.process.pid)
        survivor = next(w for w in workers.values() if w is not holder)
        holder.kill()

        # Beat's sweep (run here, as beat would every minute) sends the job again once its heartbeat is stale.
        with web.test_request_context(), current_celery(web):
            from consult.summaries.tasks import tick

            def resent() -> bool:
                result = tick.apply().get()
                db.session.remove()
                return job_id in result["resent"]
            wait_until(resent, timeout=60, interval=1, what="the sweep to send the job again")

        def finished() -> bool:
            found = running_job()
            return found is not None and not found.active
        wait_until(finished, timeout=240, interval=0.5, what="the other worker to finish the compilation")
        assert survivor.process.poll() is None

    with web.app_context():
        job = db.session.get(SummaryJob, job_id)
        assert job.state is JobState.succeeded, job.error
        assert job.attempts == 2 and job.worker.rsplit(":", 1)[1] != str(holder_pid)
        summaries = db.session.scalars(select(Summary).where(Summary.round_id == round_id)).all()
        assert len(summaries) == 1 and summaries[0].job_id == job_id
        totals = summaries[0].content["totals"]
        assert totals["comments"] == COMMENTS + 10 and totals["briefs"] == BRIEFS
        assert totals["pages_read"] == BRIEFS * 5
        statuses = Counter(db.session.scalars(select(AttachmentText.status)))
        assert statuses == {"ok": BRIEFS, "unreadable": 1}
        problems = summaries[0].content["extraction_problems"]
        assert [(p["filename"], p["status"]) for p in problems] == [("piege.pdf", "unreadable")]
        assert db.session.scalar(select(func.count(Summary.id))) == 1
        db.session.remove()
    # Both hosts read files: the work was shared before the kill, or finished by the survivor.
    readers = [w for w in workers.values() if "extraction.read_files" in w.output()
               or "summaries.compile" in w.output()]
    assert len(readers) == 2
