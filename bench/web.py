"""Web load: wrk from a second process over loopback: one endpoint at a time (50 connections), or several
endpoints at once, each with its share of the 50 connections (the mixed load)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class WebResult:
    endpoint: str
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    ratio_to_reference: float | None = None
    kind: str = "read"
    connections: int = 50

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Load:
    """One endpoint of a mixed load: its share of the connections, and its method, body and cookie."""
    name: str
    url: str
    connections: int
    kind: str = "read"
    env: dict[str, str] | None = None


def _wrk_command(url: str, *, seconds: int, connections: int, threads: int) -> list[str]:
    binary = shutil.which("wrk")
    if binary is None:
        raise FileNotFoundError("wrk is needed for the web load (Debian: apt-get install wrk)")
    return [binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
            "-s", str(HERE / "report.lua"), url]


def _report(stdout: str) -> dict:
    return json.loads(next(line for line in stdout.splitlines() if line.startswith("{")))


def wrk(url: str, *, seconds: int, connections: int = 50, threads: int = 2,
        env: dict[str, str] | None = None) -> dict:
    out = subprocess.run(_wrk_command(url, seconds=seconds, connections=connections, threads=threads),
                         capture_output=True, text=True, check=True, env={**os.environ, **(env or {})})
    return _report(out.stdout)


def _wrk_together(loads: list[Load], *, seconds: int) -> list[dict]:
    """One wrk per endpoint, all started at once, so that every endpoint is measured under the others' load."""
    running = [subprocess.Popen(_wrk_command(load.url, seconds=seconds, connections=load.connections, threads=1),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "BENCH_SEED": str(7919 * n), **(load.env or {})})
               for n, load in enumerate(loads, start=1)]
    reports = []
    for proc in running:
        stdout, stderr = proc.communicate(timeout=seconds + 60)
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, proc.args, stdout, stderr)
        reports.append(_report(stdout))
    return reports


def _result(name: str, raw: dict, *, connections: int, kind: str = "read") -> WebResult:
    return WebResult(endpoint=name, rps=round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
                     p50_ms=round(raw["p50_us"] / 1000, 2), p95_ms=round(raw["p95_us"] / 1000, 2),
                     p99_ms=round(raw["p99_us"] / 1000, 2), errors=raw["errors"], kind=kind,
                     connections=connections)


def measure(name: str, url: str, *, seconds: int, env: dict[str, str] | None = None,
            connections: int = 50) -> WebResult:
    threads = min(2, connections)
    # Warm-up: imports, caches, connection pools.
    wrk(url, seconds=max(2, seconds // 4), env=env, connections=connections, threads=threads)
    raw = wrk(url, seconds=seconds, env=env, connections=connections, threads=threads)
    return _result(name, raw, connections=connections)


def measure_mix(loads: list[Load], *, seconds: int) -> list[WebResult]:
    """Every endpoint of `loads` at once, after a warm-up of the same mix; one result per endpoint."""
    _wrk_together(loads, seconds=max(2, seconds // 4))
    return [_result(load.name, raw, connections=load.connections, kind=load.kind)
            for load, raw in zip(loads, _wrk_together(loads, seconds=seconds), strict=True)]
