"""Dates are stored in UTC and shown in America/Montreal, formatted for the reader's locale."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date, format_datetime


def datetime_filter(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def date_filter(value: datetime | None, fmt: str = "long") -> str:
    return format_date(value, fmt) if value else ""
