"""Indicator charts: one horizontal bar chart per indicator (name, unit, year), a bar per local area,
drawn on the server as SVG so that no script is needed. The template gives each chart a title and a
description and puts the same numbers in a table right after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from consult.projects.kinds import number

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 90
BAR_HEIGHT = 22
GAP = 8
TOP = 8


@dataclass
class Bar:
    label: str
    code: str
    value: float
    text: str
    x: float
    y: float
    width: float
    text_x: float


@dataclass
class Chart:
    key: str
    name: str
    unit: str
    year: int
    sources: list[str]
    bars: list[Bar] = field(default_factory=list)
    height: int = 0
    zero_x: float = LABEL_WIDTH
    uids: list[str] = field(default_factory=list)

    @property
    def minimum(self) -> Bar | None:
        return min(self.bars, key=lambda b: b.value) if self.bars else None

    @property
    def maximum(self) -> Bar | None:
        return max(self.bars, key=lambda b: b.value) if self.bars else None


def build(key: str, rows: list[dict[str, Any]], uids: list[str] | None = None) -> Chart:
    """`rows`: frozen indicator dicts sharing name, unit and year."""
    first = rows[0]
    chart = Chart(key=key, name=first["name"], unit=first["unit"], year=first["year"],
                  sources=sorted({r["source"] for r in rows if r.get("source")}), uids=uids or [])
    rows = sorted(rows, key=lambda r: r["territory"]["code"])
    values = [float(r["value"]) for r in rows]
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    chart.zero_x = LABEL_WIDTH + (0 - low) / span * plot
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        start = LABEL_WIDTH + (min(value, 0) - low) / span * plot
        width = abs(value) / span * plot
        y = TOP + index * (BAR_HEIGHT + GAP)
        chart.bars.append(Bar(label=row["territory"]["name"], code=row["territory"]["code"], value=value,
                              text=number(value), x=round(start, 1), y=y, width=round(max(width, 1.0), 1),
                              text_x=round(start + width + 6, 1)))
    chart.height = TOP * 2 + len(rows) * (BAR_HEIGHT + GAP)
    return chart
