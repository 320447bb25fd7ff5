"""Web load: wrk from a second process over loopback, one endpoint at a time, 50 connections."""

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

    def as_dict(self) -> dict:
        return asdict(self)


def wrk(url: str, *, seconds: int, connections: int = 50, threads: int = 2,
        env: dict[str, str] | None = None) -> dict:
    binary = shutil.which("wrk")
    if binary is None:
        raise FileNotFoundError("wrk is needed for the web load (Debian: apt-get install wrk)")
    out = subprocess.run([binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", str(HERE / "report.lua"), url], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})})
    line = next(line for line in out.stdout.splitlines() if line.startswith("{"))
    return json.loads(line)


def measure(name: str, url: str, *, seconds: int, env: dict[str, str] | None = None,
            connections: int = 50) -> WebResult:
    threads = min(2, connections)
    # Warm-up: imports, caches, connection pools.
    wrk(url, seconds=max(2, seconds // 4), env=env, connections=connections, threads=threads)
    raw = wrk(url, seconds=seconds, env=env, connections=connections, threads=threads)
    return WebResult(endpoint=name, rps=round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
                     p50_ms=round(raw["p50_us"] / 1000, 2), p95_ms=round(raw["p95_us"] / 1000, 2),
                     p99_ms=round(raw["p99_us"] / 1000, 2), errors=raw["errors"])
