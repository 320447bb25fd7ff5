"""Dates are stored in UTC and shown in America/Montreal, formatted for the reader's locale."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date, format_time


def datetime_filter(value: datetime | None) -> str:
    """"14 janv. 2026, 22 h 30" / "Jan 14, 2026, 10:30 p.m.": Babel's medium datetime shows seconds."""
    if not value:
        return ""
    return f"{format_date(value, 'medium')}, {format_time(value, 'short')}"


def date_filter(value: datetime | None, fmt: str = "long") -> str:
    return format_date(value, fmt) if value else ""
