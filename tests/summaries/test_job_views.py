"""The compilation page: the planner's compile button, the progress bar, cancel, and who may see them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.core.db import db
from consult.summaries import jobs
from consult.summaries.models import JobState, SummaryJob


@pytest.fixture
def no_broker(monkeypatch):
    """Jobs stay queued, as if every worker were busy: the page then shows a job under way."""
    monkeypatch.setattr(jobs, "_send_after_commit", lambda job_id: None)


def test_the_planner_starts_a_compilation_and_watches_its_progress(client, consultation, no_broker):
    client.login(consultation.planner)
    client.get("/lang/en")
    page = client.get(f"/rounds/{consultation.round.id}/compilations")
    assert page.status_code == 200 and "Compile the summary" in page.text
    response = client.post(f"/rounds/{consultation.round.id}/compile")
    assert response.status_code == 302 and response.location.endswith("/compilations#progress")
    job = db.session.scalar(select(SummaryJob))
    assert job.state is JobState.queued and job.requested_by_id == consultation.planner.id
    page = client.get(f"/rounds/{consultation.round.id}/compilations")
    assert '<progress id="job-progress-bar" max="100" value="0">' in page.text
    assert "Waiting for a worker" in page.text and "Cancel the compilation" in page.text
    assert 'http-equiv="refresh"' in page.text, "without JavaScript the page refreshes itself"

    status = client.get(f"/summaries/jobs/{job.id}/status").get_json()
    assert status["state"] == "queued" and status["active"] and status["progress"] == 0

    # A second click while one runs starts nothing new.
    client.post(f"/rounds/{consultation.round.id}/compile")
    assert len(db.session.scalars(select(SummaryJob)).all()) == 1

    client.post(f"/summaries/jobs/{job.id}/cancel")
    db.session.expire_all()
    assert db.session.get(SummaryJob, job.id).state is JobState.cancelled
    page = client.get(f"/rounds/{consultation.round.id}/compilations")
    assert "Cancelled" in page.text and "Compile the summary" in page.text


def test_a_finished_compilation_links_its_summary(client, consultation):
    from tests.summaries.pipeline_data import add_comments

    add_comments(consultation)
    db.session.commit()
    client.login(consultation.planner)
    client.get("/lang/en")
    client.post(f"/rounds/{consultation.round.id}/compile")     # eager in tests: it has run
    page = client.get(f"/rounds/{consultation.round.id}/compilations")
    assert "Summary 1" in page.text and "Finished" in page.text


def test_a_draft_round_offers_no_compile_button(client, make_consultation):
    from consult.rounds.models import RoundState

    draft = make_consultation(round_state=RoundState.draft)
    client.login(draft.planner)
    client.get("/lang/en")
    page = client.get(f"/rounds/{draft.round.id}/compilations")
    assert "Compile the summary" not in page.text and "has not opened yet" in page.text
    client.post(f"/rounds/{draft.round.id}/compile")
    assert db.session.scalar(select(SummaryJob)) is None


@pytest.mark.parametrize("who", ["citizen", "representative", "moderator"])
def test_only_planners_and_administrators_see_compilations(client, consultation, who, no_broker):
    job, _ = jobs.request(consultation.round, consultation.planner)
    db.session.commit()
    client.login(getattr(consultation, who))
    assert client.get(f"/rounds/{consultation.round.id}/compilations").status_code == 403
    assert client.get(f"/summaries/jobs/{job.id}/status").status_code == 403
    assert client.post(f"/summaries/jobs/{job.id}/cancel").status_code == 403
    assert client.post(f"/rounds/{consultation.round.id}/compile").status_code == 403
    db.session.expire_all()
    assert db.session.get(SummaryJob, job.id).state is JobState.queued


def test_an_administrator_reads_but_cannot_cancel(client, consultation, make_user, no_broker):
    job, _ = jobs.request(consultation.round, consultation.planner)
    db.session.commit()
    client.login(make_user(admin=True))
    client.get("/lang/en")
    page = client.get(f"/rounds/{consultation.round.id}/compilations")
    assert page.status_code == 200 and "Cancel the compilation" not in page.text
    assert client.post(f"/summaries/jobs/{job.id}/cancel").status_code == 403


def test_a_visitor_is_asked_to_sign_in(client, consultation):
    response = client.get(f"/rounds/{consultation.round.id}/compilations")
    assert response.status_code in (302, 401)
