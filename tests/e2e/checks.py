"""What every page visited in a journey must satisfy: no serious or critical axe-core violation
(WCAG 2.1 AA rules), no console error, no failed request, and no horizontal scroll at 375 px."""

from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    if not AXE.exists():
        raise FileNotFoundError("axe-core is missing: run `npm ci` (make test does it)")
    return AXE.read_text("utf-8")


def axe_violations(page) -> list[dict]:
    """Serious and critical violations on the current page. axe is evaluated through the DevTools
    protocol, which the page's CSP does not govern, so the CSP stays strict during the test."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


def horizontal_overflow(page) -> int:
    """How many pixels the main content is wider than the viewport (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)")
