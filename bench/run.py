"""`make bench`: PostgreSQL and Redis on loopback, the app under gunicorn, wrk from a second process;
the reference page measured in the same run; results into docs/benchmarks.md and docs/benchmarks.json.

    .venv/bin/python -m bench.run [--seconds 20] [--scale small|province]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bench.compile import compile_figures
from bench.session import Session
from bench.web import Load, WebResult, measure, measure_mix
from bench.workers import analysis_inputs_per_second, extraction_pages_per_second
from tests.fixtures.services import PostgresCluster, RedisServer, free_port, stop_process

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BIN = Path(sys.executable).parent
# The same gunicorn settings for the app and the reference page.
# Those of deploy/gunicorn.conf.py on this machine: 4 × cores + 1 processes of one thread, keep-alive 5 s.
GUNICORN = ["--workers", str(min(4 * (os.cpu_count() or 1) + 1, 24)), "--worker-class", "gthread", "--threads", "1",
            "--keep-alive", "5", "--backlog", "256", "--timeout", "60", "--log-level", "warning"]
# Read pages measured today: (name in the report, path). Grows with each capability.
READ_ENDPOINTS = [
    ("home", "/"),
    ("establishments (public list)", "/establishments"),
    ("sign-in page (form, session write)", "/login"),
    ("privacy notice", "/privacy"),
    ("clinical projects (list)", "/projects"),
    ("organizations directory", "/organizations"),
]
TARGETS = {"read_p95_ms": 100.0, "read_ratio": 0.40, "post_p95_ms": 150.0}
# The participant the write load signs in as, and the planner of the workspace at issue 3's scale (both
# created by `consult bench seed`).
WRITER = ("participant1@echelle.consult.ca", "demo-consult-2026")
PLANNER = ("planificateur@echelle.consult.ca", "demo-consult-2026")
# Participants who read signed in, post and support in the mixed load, each in their own session.
MIX_READERS = [(f"participant{n}@echelle.consult.ca", "demo-consult-2026") for n in (2, 3, 4)]
# The mixed load: people reading, writing and supporting at a person's pace (a pause between two requests,
# in milliseconds), at growing numbers of people at once.
MIX_PAUSE_MS = int(os.environ.get("BENCH_MIX_PAUSE_MS", "1000"))
MIX_PEOPLE = (50, 150, 300)
_HOT = re.compile(r"Round (\d+); the need with (\d+) comments: (\S+)")
_DEMO_SUMMARY = re.compile(r"Published consultation summary of the closed demo round: (/\S+)")
_WORKSPACE = re.compile(r"^Workspace page: (.+): (/\S+)$", re.M)
# Workspace pages measured (by the name the seed prints), for visitors and for the project's planner.
WORKSPACE_READS = ("project", "step 1 published version 2", "step 2 published version 1",
                   "indicator charts published", "traceability", "coverage", "needs x resources grid",
                   "roles matrix", "version compare", "search isolement")
WORKSPACE_PLANNER_READS = ("working copy needs (planner)", "working copy indicators (planner)",
                           "working copy services (planner)", "traceability working copy (planner)",
                           "search isolement working copy (planner)")


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def _wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    with log.open("wb") as sink:
        proc = subprocess.Popen([str(BIN / "gunicorn"), *GUNICORN, "--bind", f"127.0.0.1:{port}", app],
                                cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(url + "/")
        yield url
    finally:
        stop_process(proc, timeout=15)


def _latest_version(visitor: Session, project_path: str, *, step: int) -> str:
    """The address of the latest published version of a step, as the project page links it for visitors."""
    found = re.findall(rf'href="({re.escape(project_path)}/steps/{step}/versions/(\d+))"', visitor.get(project_path))
    if not found:
        raise RuntimeError(f"{project_path} links no published version of step {step}")
    return max(found, key=lambda link: int(link[1]))[0]


def run(seconds: int, scale: str, *, workers_only: bool = False) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    print(f"==> machine: {machine()}")
    cluster = PostgresCluster.start()
    redis = RedisServer.start(scratch)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULT_")}
        env.update({"DATABASE_URL": cluster.url, "REDIS_URL": redis.url, "CONSULT_DATA_DIR": str(scratch),
                    "CONSULT_SECRET_KEY": "bench-secret-key-not-for-production",
                    # One client address sends all the load: per-address limits would only measure themselves.
                    "CONSULT_RATELIMIT_ENABLED": "0", "PYTHONPATH": str(ROOT),
                    # A worker that crashes in C code leaves a Python traceback in web.log.
                    "PYTHONFAULTHANDLER": "1"})
        print(f"==> logs of this run: {scratch}")
        started = time.monotonic()
        demo_output = ""
        for command in (["db", "upgrade"], ["seed-demo"]):
            demo_output = subprocess.run([str(BIN / "consult"), *command], cwd=ROOT, env=env, check=True,
                                         capture_output=True, text=True).stdout
        seeded = time.monotonic()
        out = subprocess.run([str(BIN / "consult"), "bench", "seed", "--scale", scale], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True).stdout
        print(out.strip())
        round_id, hot_count, hot_path = _HOT.search(out).groups()
        print(f"==> database migrated and seeded in {time.monotonic() - started:.1f}s "
              f"(scale dataset '{scale}': {time.monotonic() - seeded:.1f}s)")
        workspace = dict(_WORKSPACE.findall(out))
        demo_summary = found.group(1) if (found := _DEMO_SUMMARY.search(demo_output)) else None
        reads = [*READ_ENDPOINTS,
                 ("needs portrait (published step 1, demo PALV project)", "{demo_portrait}"),
                 *((("published consultation summary (demo round)", demo_summary),) if demo_summary else ()),
                 ("consultation rounds (list)", "/rounds"),
                 (f"round page ({scale} dataset)", f"/rounds/{round_id}"),
                 (f"a need with {int(hot_count):,} comments, first page", hot_path),
                 *((f"workspace: {name}", workspace[name]) for name in WORKSPACE_READS if name in workspace)]
        # Signed in, nothing is served from the page cache: these measure the app's own rendering.
        signed_in = [(WRITER, f"round page ({scale} dataset), signed in", f"/rounds/{round_id}"),
                     (WRITER, f"a need with {int(hot_count):,} comments, signed in", hot_path),
                     *((PLANNER, f"workspace: {name}", workspace[name])
                       for name in WORKSPACE_PLANNER_READS if name in workspace)]
        web: list[WebResult] = []
        writes: list[WebResult] = []
        if workers_only:
            print(f"==> summary compilation of round {round_id} ({scale} dataset) by Celery workers")
            return {"summaries": compile_figures(env, int(round_id), scratch)}
        with gunicorn("bench.reference_app:app", env, scratch / "reference.log") as ref_url, \
                gunicorn("consult:create_app()", env, scratch / "web.log") as app_url:
            reference_before = measure("reference page", ref_url + "/", seconds=seconds)
            demo_portrait = _latest_version(Session(app_url), "/projects/1", step=1)
            for name, path in reads:
                path = path.format(demo_portrait=demo_portrait)
                result = measure(name, app_url + path, seconds=seconds)
                print(f"    {name}: {result.rps} req/s, p95 {result.p95_ms} ms, errors {result.errors}")
                web.append(result)
            sessions = {}
            for account in (WRITER, PLANNER):
                sessions[account] = Session(app_url)
                sessions[account].sign_in(*account)
            for account, name, path in signed_in:
                result = measure(name, app_url + path, seconds=seconds,
                                 env={"BENCH_COOKIE": sessions[account].cookie_header})
                result.kind = "read, signed in"
                print(f"    {name}: {result.rps} req/s, p95 {result.p95_ms} ms, errors {result.errors}")
                web.append(result)
            writer = sessions[WRITER]
            token = writer.token(hot_path)
            comment = _comment_form(token)
            for name, path, body, connections in (
                    (f"post a comment on the need with {int(hot_count):,} comments", hot_path + "/comments",
                     comment, 50),
                    # 50 clients posting back to back is thousands of comments a minute; 5 is a busy evening.
                    ("post a comment on that need, 5 concurrent clients", hot_path + "/comments", comment, 5),
                    ("support that need (repeated: idempotent)", hot_path + "/support", f"csrf_token={token}", 50)):
                result = measure(name, app_url + path, seconds=seconds, connections=connections, env={
                    "BENCH_METHOD": "POST", "BENCH_BODY": body, "BENCH_COOKIE": writer.cookie_header})
                result.kind = "write"
                print(f"    {name}: {result.rps} req/s, p95 {result.p95_ms} ms, errors {result.errors}")
                writes.append(result)
            reads_at = {
                "home": "/", "needs portrait": demo_portrait,
                "published summary": demo_summary or "/rounds",
                "round": f"/rounds/{round_id}", "hot": hot_path, "project": workspace.get("project", "/projects"),
                "working copy": workspace.get("working copy needs (planner)", "/projects"),
                "traceability": workspace.get("traceability working copy (planner)", "/projects")}
            mixed = {}
            for people in MIX_PEOPLE:
                mixed[people] = measure_mix(_mixed_load(app_url, sessions, reads_at=reads_at,
                                                        hot_count=int(hot_count), people=people), seconds=seconds)
                worst = max(r.p95_ms for r in mixed[people])
                print(f"    mixed load, {people} people: {sum(r.rps for r in mixed[people]):.1f} req/s, "
                      f"highest p95 {worst} ms, errors {sum(r.errors for r in mixed[people])}")
            reference_after = measure("reference page", ref_url + "/", seconds=seconds)
        before_rps, after_rps = reference_before.rps, reference_after.rps
        reference = reference_before
        reference.rps = round((before_rps + after_rps) / 2, 1)
        for result in [*web, *writes]:
            result.ratio_to_reference = round(result.rps / reference.rps, 3) if reference.rps else None
        reference.ratio_to_reference = 1.0
        print(f"    reference page: {reference.rps} req/s (before {before_rps}, after {after_rps})")
        extraction = extraction_pages_per_second()
        analysis = analysis_inputs_per_second()
        print(f"    extraction: {extraction['extraction_pages_per_s']} pages/s; "
              f"analysis: {analysis['analysis_inputs_per_s']} comments/s")
        print(f"==> summary compilation of round {round_id} ({scale} dataset) by Celery workers")
        compilation = compile_figures(env, int(round_id), scratch)
        return {
            "machine": machine(),
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": f"make bench (python -m bench.run --seconds {seconds} --scale {scale})",
            "load": "wrk, 2 threads, 50 connections (unless the endpoint names fewer), from a second process over "
                    f"loopback; {seconds}s per endpoint after a warm-up",
            "server": "gunicorn " + " ".join(GUNICORN) + ", PostgreSQL 15 and Redis on loopback",
            "web": [r.as_dict() for r in [reference, *web, *writes]],
            "mixed": {"pause_ms": MIX_PAUSE_MS, "levels": [
                {"people": people, "rps": round(sum(r.rps for r in results), 1),
                 "endpoints": [r.as_dict() for r in results]} for people, results in mixed.items()]},
            "summaries": {**compilation, **extraction, **analysis},
        }
    finally:
        redis.stop()
        cluster.stop()


def _comment_form(token: str) -> str:
    """The body of the comment form every posting client sends."""
    return f"csrf_token={token}&body=Un+commentaire+de+charge+sur+ce+besoin."


def _mixed_load(app_url: str, sessions: dict, *, reads_at: dict[str, str], hot_count: int,
                people: int) -> list[Load]:
    """`people` at once, in the shares of 50 below: visitors, participants reading signed in, a planner at work,
    people posting and supporting; each pauses MIX_PAUSE_MS between two requests."""
    for account in MIX_READERS:
        if account not in sessions:
            sessions[account] = Session(app_url)
            sessions[account].sign_in(*account)
    writer, planner = sessions[WRITER], sessions[PLANNER]
    hot = reads_at["hot"]
    # Tokens first: reading them may set the session cookie that the load then sends.
    token = writer.token(hot)
    supporter_token = sessions[MIX_READERS[2]].token(hot)
    round_reader, hot_reader, supporter = (sessions[account].cookie_header for account in MIX_READERS)
    pause = {"BENCH_DELAY_MS": str(MIX_PAUSE_MS)}
    posting = {"BENCH_METHOD": "POST", "BENCH_COOKIE": writer.cookie_header, **pause,
               "BENCH_BODY": _comment_form(token)}
    supporting = {"BENCH_METHOD": "POST", "BENCH_COOKIE": supporter, **pause,
                  "BENCH_BODY": f"csrf_token={supporter_token}"}
    shares = [
        Load("home", app_url + reads_at["home"], 4, env=pause),
        Load("needs portrait (demo)", app_url + reads_at["needs portrait"], 4, env=pause),
        Load("published consultation summary (demo)", app_url + reads_at["published summary"], 4, env=pause),
        Load("round page", app_url + reads_at["round"], 5, env=pause),
        Load(f"the need with {hot_count:,} comments", app_url + hot, 8, env=pause),
        Load("workspace: project", app_url + reads_at["project"], 3, env=pause),
        Load("organizations directory", app_url + "/organizations", 2, env=pause),
        Load("round page, signed in", app_url + reads_at["round"], 4, "read, signed in",
             {"BENCH_COOKIE": round_reader, **pause}),
        Load(f"the need with {hot_count:,} comments, signed in", app_url + hot, 8, "read, signed in",
             {"BENCH_COOKIE": hot_reader, **pause}),
        Load("planner: working copy needs", app_url + reads_at["working copy"], 1, "read, signed in",
             {"BENCH_COOKIE": planner.cookie_header, **pause}),
        Load("planner: traceability working copy", app_url + reads_at["traceability"], 1, "read, signed in",
             {"BENCH_COOKIE": planner.cookie_header, **pause}),
        Load("post a comment on that need", app_url + hot + "/comments", 4, "write", posting),
        Load("support that need", app_url + hot + "/support", 2, "write", supporting),
    ]
    # Every share grows with the number of people; each wrk process holds its share's connections.
    return [Load(load.name, load.url, load.connections * people // 50, load.kind, load.env) for load in shares]


def verdict(result: dict, *, mixed: bool = False) -> str:
    """Against the targets; in the mixed load an endpoint's throughput is its share, so only latency and errors."""
    if result["endpoint"] == "reference page":
        return "reference"
    misses = []
    limit = TARGETS["post_p95_ms"] if result.get("kind") == "write" else TARGETS["read_p95_ms"]
    if result["p95_ms"] > limit:
        misses.append(f"p95 {result['p95_ms'] - limit:.1f} ms over {limit:.0f} ms")
    ratio = result["ratio_to_reference"] or 0
    if not mixed and result.get("kind") != "write" and ratio < TARGETS["read_ratio"]:
        misses.append(f"throughput {100 * (TARGETS['read_ratio'] - ratio):.1f} points under 40 %")
    if result["errors"]:
        misses.append(f"{result['errors']} errors")
    return "met" if not misses else "missed: " + "; ".join(misses)


def write(results: dict) -> None:
    DOCS.mkdir(exist_ok=True)
    (DOCS / "benchmarks.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    rows = "\n".join(
        f"| {r['endpoint']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']} | "
        f"{r['ratio_to_reference']} | {verdict(r)} |" for r in results["web"])
    work = results["summaries"]
    levels = results["mixed"]["levels"]
    names = [(r["endpoint"], r["kind"]) for r in levels[0]["endpoints"]]
    mixed_rows = "\n".join(
        f"| {name} | {kind} | " + " | ".join(
            f"{r['p95_ms']}" + ("" if verdict(r, mixed=True) == "met" else " (missed)") + (
                f", {r['errors']} errors" if r["errors"] else "")
            for level in levels for r in level["endpoints"] if r["endpoint"] == name) + " |"
        for name, kind in names)
    mixed_head = " | ".join(f"p95 ms, {level['people']} people" for level in levels)
    mixed_total = " | ".join(f"**{level['rps']} req/s**" for level in levels)
    def against(key: str, limit: float, unit: str, *, more_is_better: bool = False) -> str:
        value = work[key]
        met = value >= limit if more_is_better else value <= limit
        if met:
            return "met"
        return f"missed by {abs(value - limit):.1f} {unit}"

    worker_rows = "\n".join(f"| {name} | {work[key]} {unit} | {target} |" for name, key, unit, target in (
        ("full compilation of the round, one worker", "full_one_worker_s", "s", "—"),
        ("full compilation of the round, two workers", "full_two_workers_s", "s",
         against("full_two_workers_s", 120, "s")),
        ("recompilation after 100 new comments (periodic)", "incremental_s", "s", against("incremental_s", 5, "s")),
        ("worker peak memory (highest VmHWM among its processes)", "worker_peak_rss_mb", "MB",
         against("worker_peak_rss_mb", 1536, "MB")),
        ("PDF extraction, one sandboxed child per batch", "extraction_pages_per_s", "pages/s",
         against("extraction_pages_per_s", 20, "pages/s", more_is_better=True)),
        ("analysis of generated comments (language, lemmas, keyphrases)", "analysis_inputs_per_s", "comments/s", "—"),
        ("peak memory of that process", "analysis_peak_rss_mb", "MB", "—"),
    ))
    (DOCS / "benchmarks.md").write_text(f"""# Benchmarks

Written by `make bench` on {results['measured_at']}. Numbers from one run on this machine; the reference
page is measured in the same run so that throughput reads as a ratio, which survives a noisy machine
better than raw requests per second.

- **Machine**: {results['machine']}
- **Command**: `{results['command']}`
- **Load**: {results['load']}
- **Server**: {results['server']}

## Web

Targets (2 cores): read pages p95 ≤ {TARGETS['read_p95_ms']:.0f} ms at 50 concurrent clients and throughput ≥ 40 %
of the reference page's; posting a comment p95 ≤ {TARGETS['post_p95_ms']:.0f} ms; zero errors.

| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | ratio to reference | target |
|---|---|---|---|---|---|---|---|
{rows}

Rows without "signed in" are read as a visitor who is not signed in: such pages are served by the page
cache (`consult/core/pagecache.py`), each web process keeping the last rendering of a page until the next
write anywhere (a shared generation counter in Redis), or for CONSULT_PAGE_CACHE_GRACE_SECONDS (2 s) after
its rendering when writes come faster, so a visitor never reads a page more than 2 s older than the last
write. Signed-in pages reuse the parts that read the same for everyone (each comment with its answer, a
blank reply form: `consult/core/fragments.py`). The "signed in" rows bypass the page cache and measure the
app's own rendering and queries (the same targets apply; where they are missed, the table says by how much).
Posting a comment always goes through the app.

### Mixed load: people at a person's pace, many at once

What the site holds on a busy evening: every endpoint measured while the others run — visitors, participants
reading signed in, a planner at work, people posting and supporting — each person pausing
{results['mixed']['pause_ms']} ms between two requests (a brisk reader; people spend far longer on a page), at
growing numbers of people at once in the same shares (one wrk per endpoint holding its share of the connections).
The targets apply to each endpoint's p95 and errors; "(missed)" marks a p95 over its target.

| endpoint | kind | {mixed_head} |
|---|---|{"---|" * len(levels)}
{mixed_rows}
| all endpoints | | {mixed_total} |

## Workers

Targets: extraction ≥ 20 PDF pages/s per worker; full compilation of the province round ≤ 120 s with two
workers, ≤ 5 s after 100 new comments, ≤ 1.5 GB per worker.

| measure | value | target |
|---|---|---|
{worker_rows}

A compilation's time runs from the request to the job's end (the summary stored); the PDF and DOCX files are
rendered afterwards by a task of their own. Each worker is one `celery worker -Q compilation,extraction
--concurrency=1`; with two, the compilation's worker and the other share the reading of attachments.
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "15")))
    parser.add_argument("--scale", choices=["small", "province"], default=os.environ.get("BENCH_SCALE", "province"))
    parser.add_argument("--workers-only", action="store_true",
                        help="measure the summary compilation alone and print it (no report written)")
    args = parser.parse_args()
    if args.workers_only:
        print(json.dumps(run(args.seconds, args.scale, workers_only=True), indent=2))
        return
    results = run(args.seconds, args.scale)
    write(results)
    print(f"==> wrote {DOCS / 'benchmarks.md'} and {DOCS / 'benchmarks.json'}")


if __name__ == "__main__":
    main()
