"""Import of indicators from a CSV file, as Québec users export them: UTF-8 with or without BOM (or
Windows-1252 from older Excel), semicolon or comma separators, decimal commas, French or English column
names.

All or nothing: every row is checked first; if one row fails, nothing is imported and the report lists
each error with its row number, column and message. A row matching an existing indicator (same name,
unit, year and territory) updates its value and keeps its uid, so a new version shows it as changed.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from dataclasses import dataclass, field
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, func, select

from consult.core.db import db, now_utc
from consult.projects import search
from consult.projects.models import ClinicalProject, Indicator, SearchEntry, new_uid
from consult.territories.models import TerritoryNode

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_ERRORS_SHOWN = 200

# Accepted column names (lowercase, without accents) for each field.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "nom", "indicator", "indicateur"),
    "unit": ("unit", "unite"),
    "value": ("value", "valeur"),
    "year": ("year", "annee"),
    "territory": ("territory", "territory_code", "territoire", "code_territoire", "code territoire", "code"),
    "source": ("source", "sources"),
}
REQUIRED = ("name", "unit", "value", "year", "territory")
LIMITS = {"name": 300, "unit": 60, "source": 500}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    refused: str | None = None          # the whole file was refused (size, encoding, columns, rows)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.errors

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:MAX_ERRORS_SHOWN]


def _key(header: str) -> str:
    decomposed = unicodedata.normalize("NFKD", header.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("-", "_")


def _clean(value: str | None) -> str:
    if value is None:
        return ""
    value = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in unicodedata.normalize("NFC", value))
    return " ".join(value.split())


def parse_number(raw: str) -> float | None:
    """"1 234,5", "1234.5", "1,234.5", "12,5 " → a float; None when it is not a number."""
    text = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if not text:
        return None
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    else:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        dialect = csv.excel()
        dialect.delimiter = ";" if first.count(";") >= first.count(",") else ","
        return dialect


def read(stream: IO[bytes]) -> tuple[str | None, bytes]:
    """Read at most the limit, and say so when the file is larger."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return _("The file is larger than 20 MB. Split it into smaller files and import them one by one."), b""
    if not data.strip():
        return _("The file is empty."), b""
    if b"\x00" in data[:4096]:
        return _("This does not look like a CSV file. Save the sheet as CSV (UTF-8) and try again."), b""
    return None, data


def check(project: ClinicalProject, data: bytes) -> tuple[ImportReport, list[dict]]:
    """Every row checked; the clean rows come back only when there is no error at all."""
    report = ImportReport()
    text = _decode(data)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), _dialect(text[:8192]))
        header = next(reader, None)
    except csv.Error:
        report.refused = _("The file could not be read as CSV. Save the sheet as CSV (UTF-8) and try again.")
        return report, []
    if not header:
        report.refused = _("The file is empty.")
        return report, []
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _key(name)
        for target, aliases in COLUMNS.items():
            if key in aliases and target not in positions:
                positions[target] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        report.refused = _("Columns missing from the first line: %(columns)s. Expected: name, unit, value, "
                           "year, territory (a territory code) and, optionally, source.",
                           columns=", ".join(missing))
        return report, []

    codes = dict(db.session.execute(select(TerritoryNode.code, TerritoryNode.id)).all())
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    try:
        for line_number, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            report.rows += 1
            if report.rows > MAX_ROWS:
                report.refused = _("The file has more than %(max)s rows. Split it into smaller files and "
                                   "import them one by one.", max="50 000")
                report.errors = []
                return report, []
            rows.append(_row(report, line_number, raw, positions, codes, seen))
    except csv.Error as error:
        report.refused = _("The file could not be read as CSV near row %(row)d (%(problem)s).",
                           row=reader.line_num, problem=str(error))
        return report, []
    if report.rows == 0:
        report.refused = _("The file has a header line but no data.")
    return report, rows if report.ok else []


def _row(report: ImportReport, line: int, raw: list[str], positions: dict[str, int], codes: dict[str, int],
         seen: dict[tuple, int]) -> dict:
    def cell(name: str) -> str:
        index = positions.get(name)
        return _clean(raw[index]) if index is not None and index < len(raw) else ""

    def error(column: str, message: str) -> None:
        report.errors.append(RowError(line, column, message))

    values = {name: cell(name) for name in COLUMNS}
    for name in ("name", "unit"):
        if not values[name]:
            error(name, _("This cell is empty."))
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            error(name, _("At most %(max)d characters.", max=limit))
    number = parse_number(values["value"])
    if number is None:
        error("value", _("“%(text)s” is not a number.", text=values["value"][:40]) if values["value"]
              else _("This cell is empty."))
    year = None
    try:
        year = int(values["year"])
        if not 1900 <= year <= 2100:
            error("year", _("A year between 1900 and 2100 is expected."))
    except ValueError:
        error("year", _("“%(text)s” is not a year.", text=values["year"][:40]) if values["year"]
              else _("This cell is empty."))
    territory_id = codes.get(values["territory"])
    if territory_id is None:
        error("territory", _("Unknown territory code “%(code)s”.", code=values["territory"][:40])
              if values["territory"] else _("This cell is empty."))
    key = (values["name"], values["unit"], year, territory_id)
    if None not in key:
        if key in seen:
            error("territory", _("Same indicator, unit, year and territory as row %(row)d.", row=seen[key]))
        else:
            seen[key] = line
    return {"name": values["name"], "unit": values["unit"], "value": number, "year": year,
            "territory_id": territory_id, "source": values["source"] or None}


def apply(project: ClinicalProject, rows: list[dict]) -> ImportReport:
    """Insert or update every row at once (the caller checked them and commits)."""
    report = ImportReport(rows=len(rows))
    existing = {(name, unit, year, territory): (item_id, uid) for item_id, uid, name, unit, year, territory in
                db.session.execute(select(Indicator.id, Indicator.uid, Indicator.name, Indicator.unit,
                                          Indicator.year, Indicator.territory_id)
                                   .where(Indicator.project_id == project.id))}
    position = db.session.scalar(select(func.max(Indicator.position))
                                 .where(Indicator.project_id == project.id)) or 0
    now = now_utc()
    inserts, updates, indexed, updated_uids = [], [], [], []
    for row in rows:
        found = existing.get((row["name"], row["unit"], row["year"], row["territory_id"]))
        if found:
            updates.append({"_id": found[0], "_value": row["value"], "_source": row["source"], "_now": now})
            indexed.append((found[1], row))
            updated_uids.append(found[1])
        else:
            position += 1
            uid = new_uid()
            inserts.append({**row, "uid": uid, "project_id": project.id, "position": position,
                            "lock_version": 1, "created_at": now, "updated_at": now})
            indexed.append((uid, row))
    table = Indicator.__table__
    if inserts:
        db.session.execute(table.insert(), inserts)
    if updates:
        db.session.execute(table.update().where(table.c.id == bindparam("_id")).values(
            value=bindparam("_value"), source=bindparam("_source"), updated_at=bindparam("_now"),
            lock_version=table.c.lock_version + 1), updates)
    db.session.expire_all()
    _reindex(project, indexed, updated_uids)
    report.created, report.updated = len(inserts), len(updates)
    return report


def _reindex(project: ClinicalProject, indexed: list[tuple[str, dict]], stale: list[str]) -> None:
    """Index what changed straight from the rows: no ORM object per row, so 50,000 rows stay quick."""
    if stale:
        for start in range(0, len(stale), 500):
            db.session.execute(delete(SearchEntry).where(SearchEntry.uid.in_(stale[start:start + 500]),
                                                         SearchEntry.version_id.is_(None)))
    territory_ids = {row["territory_id"] for _uid, row in indexed}
    names = {t_id: (code, name) for t_id, code, name in db.session.execute(
        select(TerritoryNode.id, TerritoryNode.code, TerritoryNode.name)
        .where(TerritoryNode.id.in_(territory_ids)))}
    items = []
    for uid, row in indexed:
        code, name = names[row["territory_id"]]
        items.append(("indicator", uid, {"name": row["name"], "unit": row["unit"], "value": row["value"],
                                         "year": row["year"], "territory": {"code": code, "name": name},
                                         "source": row["source"] or ""}))
    search.index_version(project.id, None, items)  # type: ignore[arg-type]  # None: the working copy
