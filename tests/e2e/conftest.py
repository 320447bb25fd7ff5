"""Whole journeys in real Chromium (Debian's, driven by Playwright) against the app served by gunicorn
on loopback, with a real Celery worker on the embedded transport, a migrated database and the demo data.

Every page a journey visits goes through `journey.visit()` / `journey.check()`: axe-core (no serious
or critical violation), no console error, no failed request, no horizontal scroll at 375 px. A failing
step saves a screenshot under tests/e2e/artifacts/ named after the test and the step.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.checks import axe_violations, horizontal_overflow
from tests.fixtures.services import ROOT, free_port, run_worker, stop_process, wait_until

ARTIFACTS = ROOT / "tests" / "e2e" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network: no background calls home, no sandbox as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
DEMO_PASSWORD = "demo-consult-2026"
SECRET = "e2e-secret-key-long-enough-for-tests"


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    database_url: str

    def outbox(self) -> list[str]:
        return [p.read_text("utf-8") for p in sorted((self.data_dir / "outbox").glob("*.eml"))]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser journeys (make test installs it)")
    data_dir = tmp_path_factory.mktemp("e2e-data")
    database_url = f"sqlite:///{data_dir / 'e2e.sqlite'}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CONSULT_") and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"DATABASE_URL": database_url, "CONSULT_DATA_DIR": str(data_dir), "CONSULT_SECRET_KEY": SECRET,
                "CONSULT_ENV": "development", "CONSULT_OUTBOX_PAGE": "1", "CONSULT_RATELIMIT_ENABLED": "0",
                # Journeys read as a visitor right after a write; the grace is tested in tests/core.
                "CONSULT_PAGE_CACHE_GRACE_SECONDS": "0", "PYTHONPATH": str(ROOT)})
    port = free_port()
    env["CONSULT_BASE_URL"] = f"http://127.0.0.1:{port}"
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([_bin("consult"), *command], cwd=ROOT, env=env, check=True, capture_output=True)
    log = (data_dir / "web.log").open("wb")
    web = subprocess.Popen([_bin("gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
                            "consult:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        import urllib.request

        def answers() -> bool:
            with contextlib.suppress(OSError), urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                return response.status == 200
            return False

        wait_until(answers, timeout=30, what="the web app to answer /healthz")
        with run_worker(database_url=database_url, data_dir=data_dir, secret_key=SECRET,
                        log=data_dir / "worker.log", queues="default,mail,extraction,analysis,compilation"):
            yield LiveServer(url, data_dir, database_url)
    finally:
        stop_process(web, timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Journey:
    """A person's path through the app, checked on every page it visits."""

    page: object
    base: str
    name: str
    problems: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    current_step: str = "start"
    tolerated: str | None = None  # the one console message the next check drops (see follow)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.current_step = name
        try:
            yield
        except BaseException:
            self.screenshot()
            raise

    def screenshot(self) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{self.current_step}".lower()).strip("-")
        path = ARTIFACTS / f"{slug}.png"
        with contextlib.suppress(Exception):
            self.page.screenshot(path=str(path), full_page=True)
        return path

    def visit(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def check(self) -> None:
        """The checks every visited page must pass; each distinct page is audited once per journey."""
        page = self.page
        page.wait_for_load_state("load")
        if self.tolerated:  # the page's own refusal, asked for by follow(expect_status=…): logged once
            dropped = next((p for p in self.problems if p.startswith("console:") and self.tolerated in p), None)
            if dropped is not None:
                self.problems.remove(dropped)
            self.tolerated = None
        key = re.sub(r"\d+", "N", page.url.split("?")[0]) + "|" + page.evaluate("document.documentElement.lang")
        if self.problems:
            found, self.problems[:] = list(self.problems), []
            raise AssertionError(f"[{self.current_step}] console errors or failed requests: {found}")
        if key in self.checked:
            return
        self.checked.add(key)
        violations = axe_violations(page)
        assert not violations, f"[{self.current_step}] axe-core on {page.url}: {violations}"
        size = page.viewport_size
        page.set_viewport_size({"width": 375, "height": 800})
        try:
            overflow = horizontal_overflow(page)
        finally:
            page.set_viewport_size(size)
        assert overflow == 0, f"[{self.current_step}] {page.url} scrolls sideways by {overflow}px at 375 px"

    def follow(self, locator, expect_status: int | None = None) -> None:
        """Click something that loads a new page, wait for that page, then check it.

        `expect_status` is for a form the app must refuse (422): the status is asserted, and the one console
        error Chromium logs for it ("Failed to load resource: … status of 422") is dropped; any other problem
        still fails the check."""
        with self.page.expect_navigation() as navigation:
            locator.click()
        if expect_status is not None:
            status = navigation.value.status if navigation.value is not None else None
            assert status == expect_status, f"[{self.current_step}] expected {expect_status}, got {status}"
            self.tolerated = f"status of {expect_status}"
        self.check()

    def download(self, locator, target: Path) -> Path:
        """Click a link that answers with a file to save (Content-Disposition: attachment), wait until the file
        is saved under `target` (a folder), and return its path. Chromium reports the link's navigation as
        aborted once it turns into a download: that one report is not a failed request."""
        with self.page.expect_download() as info:
            locator.click()
        download = info.value
        path = target / download.suggested_filename
        download.save_as(path)  # waits for the whole file
        aborted = f"failed: {download.url} net::ERR_ABORTED"
        self.problems[:] = [p for p in self.problems if p != aborted]
        return path

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.visit("/login")
        self.page.get_by_label(re.compile("Adresse courriel|E-mail address")).fill(email)
        self.page.get_by_label(re.compile("^(Mot de passe|Password)")).fill(password)
        self.follow(self.page.locator("main form button[type=submit]"))

    def sign_out(self) -> None:
        self.follow(self.page.locator("header form button[type=submit]"))


def _cancelled_icon(request) -> bool:
    """Chromium fetches the page icon after the load event and cancels it when the journey moves on at once
    (a page already audited is not audited again): not a failure of the page."""
    return request.url.endswith("/static/img/favicon.svg") and "ERR_ABORTED" in (request.failure or "")


@pytest.fixture
def journey(request, browser, live_server) -> Iterator[Journey]:
    context = browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    trip = Journey(page=page, base=live_server.url, name=request.node.name)
    page.on("console", lambda msg: msg.type == "error" and trip.problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda exc: trip.problems.append(f"page error: {exc}"))
    page.on("requestfailed",
            lambda req: _cancelled_icon(req) or trip.problems.append(f"failed: {req.url} {req.failure}"))
    page.on("response", lambda res: res.status >= 500 and trip.problems.append(f"{res.status}: {res.url}"))
    try:
        yield trip
    except BaseException:
        trip.screenshot()
        raise
    finally:
        context.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
