"""A task that fails for good is recorded with its error; an admin sees it at /admin/jobs and sends it
again with a button."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from consult.core.db import db
from consult.ops.models import FailedTask
from tests.ops.conftest import FIXED

pytestmark = pytest.mark.usefixtures("as_in_a_worker")


def fail(task, *args, **kwargs) -> FailedTask:
    assert task.delay(*args, **kwargs).failed()
    return db.session.scalars(select(FailedTask).order_by(FailedTask.id.desc())).first()


def test_a_failure_is_recorded_with_its_error_arguments_and_traceback(test_tasks):
    failure = fail(test_tasks["fragile"], "annexe-12", note="relance")
    assert failure.task_name == "tests.ops.fragile"
    assert failure.queue == "default"
    assert failure.args == ["annexe-12"]
    assert failure.kwargs == {"note": "relance"}
    assert failure.error == "RuntimeError: the disk holding annexe-12 is on fire"
    assert "Traceback" in failure.traceback and "RuntimeError" in failure.traceback
    assert failure.retried_at is None
    assert failure.retryable


def test_arguments_that_are_not_json_are_not_kept_and_cannot_be_retried(test_tasks):
    # Celery's JSON carries datetimes, plain JSON does not: kept as they are, they could not be sent again.
    failure = fail(test_tasks["fragile"], datetime(2026, 5, 1, 9, 30, tzinfo=UTC))
    assert failure.args is None
    assert not failure.retryable


def test_admins_see_failed_tasks_with_their_error(client, make_user, test_tasks):
    fail(test_tasks["fragile"], "annexe-7")
    client.login(make_user(admin=True))
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    assert "tests.ops.fragile" in page.text
    assert "RuntimeError: the disk holding annexe-7 is on fire" in page.text
    assert "[&#34;annexe-7&#34;]" in page.text or '["annexe-7"]' in page.text
    assert re.search(r'<form method="post" action="/admin/jobs/\d+/retry"', page.text)


def test_only_admins_see_the_page_or_retry(client, make_user, test_tasks):
    failure = fail(test_tasks["fragile"], "annexe-8")
    assert client.get("/admin/jobs").status_code == 302  # to the sign-in page
    client.login(make_user())
    assert client.get("/admin/jobs").status_code == 403
    assert client.post(f"/admin/jobs/{failure.id}/retry").status_code == 403
    db.session.refresh(failure)
    assert failure.retried_at is None


def test_retry_sends_the_task_again_and_says_so(client, make_user, test_tasks):
    failure = fail(test_tasks["fragile"], "annexe-9", note="x")
    FIXED.add("annexe-9")  # the operator fixed the cause
    admin = make_user(admin=True, locale="en")
    client.login(admin)
    response = client.post(f"/admin/jobs/{failure.id}/retry", follow_redirects=True)
    assert response.status_code == 200
    assert "The task tests.ops.fragile was sent again" in response.text
    db.session.expire_all()
    failure = db.session.get(FailedTask, failure.id)
    assert failure.retried_at is not None
    assert failure.retried_by_id == admin.id
    assert failure.retry_count == 1
    assert db.session.scalar(select(db.func.count(FailedTask.id))) == 1  # it worked: no new failure


def test_a_retry_that_fails_again_is_listed_again(client, make_user, test_tasks):
    failure = fail(test_tasks["fragile"], "annexe-10")
    client.login(make_user(admin=True))
    client.post(f"/admin/jobs/{failure.id}/retry")
    db.session.expire_all()
    rows = db.session.scalars(select(FailedTask).order_by(FailedTask.id)).all()
    assert len(rows) == 2
    assert rows[0].retried_at is not None and rows[1].retried_at is None
    assert rows[1].args == ["annexe-10"]


def test_a_task_whose_arguments_were_not_kept_is_not_sent(client, make_user, test_tasks):
    failure = fail(test_tasks["fragile"], datetime(2026, 5, 1, 9, 30, tzinfo=UTC))
    client.login(make_user(admin=True, locale="en"))
    page = client.get("/admin/jobs")
    assert f'action="/admin/jobs/{failure.id}/retry"' not in page.text
    response = client.post(f"/admin/jobs/{failure.id}/retry", follow_redirects=True)
    assert "cannot be sent again" in response.text
    db.session.refresh(failure)
    assert failure.retried_at is None


def test_retry_needs_the_form_token(app, client, make_user, test_tasks, monkeypatch):
    failure = fail(test_tasks["fragile"], "annexe-11")
    client.login(make_user(admin=True))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/admin/jobs/{failure.id}/retry").status_code == 400
    db.session.refresh(failure)
    assert failure.retried_at is None


def test_the_list_is_paginated_newest_first(app, client, make_user, test_tasks, monkeypatch):
    monkeypatch.setitem(app.config, "CONSULT_PAGE_SIZE", 3)
    for number in range(5):
        fail(test_tasks["fragile"], f"piece-{number}")
    client.login(make_user(admin=True))
    first = client.get("/admin/jobs").text
    assert "piece-4" in first and "piece-2" in first and "piece-1" not in first
    second = client.get("/admin/jobs?page=2").text
    assert "piece-1" in second and "piece-0" in second
    assert client.get("/admin/jobs?page=3").status_code == 404


def test_an_empty_list_says_so(client, make_user):
    client.login(make_user(admin=True, locale="en"))
    assert "No task has failed" in client.get("/admin/jobs").text
