"""The equity lens's charts: horizontal bar charts drawn on the server as SVG (no script), one or more series
per category, each with a title and a description for screen readers (role="img"), the value written next
to every bar (colour is never the only carrier: the second series is also hatched), and the same numbers as
a table — on the page right after the chart, and in the CSV download. A hidden count (fewer than 5 people)
has no bar, only the words saying so.

`build_all(round_)` builds every chart of a round's lens page from one computation; `build(round_, key)`
builds one (the downloads). `svg(chart)` is the markup, inline or as a standalone file; `csv_text(chart)`
the table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from markupsafe import Markup

from consult.equity import dashboard, representativeness, summary_section, taxonomy
from consult.rounds.models import ConsultationRound

WIDTH = 700
LABEL_WIDTH = 250
VALUE_WIDTH = 120
STACK_TEXT_WIDTH = 240   # the parts of a stacked bar, in words
BAR = 16
GAP = 12
TOP = 8
LEGEND = 26
COLOURS = ("#0b4f8a", "#a34a00", "#1e6b34")   # 3:1 or more against white (WCAG 1.4.11)
TEXT = "#1b1f23"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@dataclass
class Series:
    key: str
    label: str
    percent: bool = False


@dataclass
class Bar:
    value: float | None       # None: hidden
    text: str                 # the value as written, or why it is hidden


@dataclass
class Category:
    key: str
    label: str
    bars: list[Bar]


@dataclass
class Chart:
    key: str
    title: str
    description: str
    series: list[Series]
    categories: list[Category]
    columns: list[str] = field(default_factory=list)          # the table equivalent
    rows: list[list[str]] = field(default_factory=list)
    csv_columns: list[str] = field(default_factory=list)      # raw numbers, for the download
    csv_rows: list[list[Any]] = field(default_factory=list)
    stacked: bool = False     # one bar per category, its series end to end, the parts written after it

    @property
    def bars_per_category(self) -> int:
        return 1 if self.stacked else len(self.series)

    @property
    def height(self) -> int:
        block = self.bars_per_category * BAR + GAP
        return TOP * 2 + self._legend + max(1, len(self.categories)) * block

    @property
    def _legend(self) -> int:
        return LEGEND if len(self.series) > 1 else 0

    @property
    def empty(self) -> bool:
        return not self.categories


def percent(value: float | None) -> str:
    return "" if value is None else format_percent(value, format="#,##0.0%")


def number(value: float | int | None) -> str:
    return "" if value is None else format_decimal(value, format="#,##0.##")


def hidden_text(cell: representativeness.Cell) -> str:
    return _("fewer than 5") if cell.reason == "small" else _("not shown")


def count_text(cell: representativeness.Cell) -> str:
    return hidden_text(cell) if cell.suppressed else number(cell.value)


# ---------------------------------------------------------------------------------------------------- SVG


def svg(chart: Chart, *, standalone: bool = False) -> Markup:
    """The chart as SVG markup: inline (ids prefixed with the chart's key) or as a file of its own."""
    cid = f"equity-chart-{chart.key}"
    plot = WIDTH - LABEL_WIDTH - (STACK_TEXT_WIDTH if chart.stacked else VALUE_WIDTH)
    if chart.stacked:
        values = [sum(b.value or 0.0 for b in c.bars) for c in chart.categories]
    else:
        values = [b.value for c in chart.categories for b in c.bars if b.value is not None]
    top_value = max(values, default=0.0) or 1.0
    out = []
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{cid}-title {cid}-desc" '
            f'viewBox="0 0 {WIDTH} {chart.height}" width="{WIDTH}" height="{chart.height}" '
            f'font-family="{escape(FONT)}" font-size="13"')
    out.append(head + ('>' if standalone else ' class="bar-chart" focusable="false">'))
    out.append(f'<title id="{cid}-title">{escape(chart.title)}</title>')
    out.append(f'<desc id="{cid}-desc">{escape(chart.description)}</desc>')
    out.append("<defs>")
    for index, colour in enumerate(COLOURS):
        out.append(f'<pattern id="{cid}-hatch-{index}" width="6" height="6" patternUnits="userSpaceOnUse" '
                   f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
                   f'<rect width="3" height="6" fill="{colour}"/></pattern>')
    out.append("</defs>")
    if standalone:
        out.append(f'<rect width="{WIDTH}" height="{chart.height}" fill="#ffffff"/>')
    y = TOP
    if len(chart.series) > 1:
        x = LABEL_WIDTH
        for index, series in enumerate(chart.series):
            out.append(f'<rect x="{x}" y="{y}" width="14" height="14" {_fill(cid, index)} '
                       f'stroke="{COLOURS[index % len(COLOURS)]}"/>')
            out.append(f'<text x="{x + 20}" y="{y + 12}" fill="{TEXT}">{escape(series.label)}</text>')
            x += 30 + 8 * len(series.label)
        y += LEGEND
    out.append(f'<line x1="{LABEL_WIDTH}" y1="{y}" x2="{LABEL_WIDTH}" '
               f'y2="{chart.height - TOP}" stroke="#5a6470" stroke-width="1"/>')
    for category in chart.categories:
        block_middle = y + chart.bars_per_category * BAR / 2 + 4
        out.append(f'<text x="{LABEL_WIDTH - 8}" y="{block_middle:.1f}" text-anchor="end" fill="{TEXT}">'
                   f'{escape(_shorten(category.label))}</text>')
        if chart.stacked:
            out += _stack(cid, chart, category, y, plot, top_value)
            y += BAR + GAP
            continue
        for index, bar in enumerate(category.bars):
            bar_y = y + index * BAR
            if bar.value is None:
                out.append(f'<text x="{LABEL_WIDTH + 6}" y="{bar_y + 12}" fill="{TEXT}" font-style="italic">'
                           f'{escape(bar.text)}</text>')
                continue
            width = max(bar.value / top_value * plot, 1.0 if bar.value > 0 else 0.0)
            if width:
                out.append(f'<rect x="{LABEL_WIDTH}" y="{bar_y + 1}" width="{width:.1f}" height="{BAR - 2}" '
                           f'{_fill(cid, index)} stroke="{COLOURS[index % len(COLOURS)]}"/>')
            out.append(f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{bar_y + 12}" fill="{TEXT}">'
                       f'{escape(bar.text)}</text>')
        y += len(chart.series) * BAR + GAP
    out.append("</svg>")
    text = "".join(out)
    if standalone:
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"
    return Markup(text)


def _stack(cid: str, chart: Chart, category: Category, y: float, plot: float, top_value: float) -> list[str]:
    out, x = [], float(LABEL_WIDTH)
    for index, bar in enumerate(category.bars):
        width = (bar.value or 0.0) / top_value * plot
        if width > 0:
            out.append(f'<rect x="{x:.1f}" y="{y + 1}" width="{width:.1f}" height="{BAR - 2}" {_fill(cid, index)} '
                       f'stroke="{COLOURS[index % len(COLOURS)]}"/>')
            x += width
    parts = [f"{series.label}: {bar.text}" for series, bar in zip(chart.series, category.bars, strict=True)
             if bar.value]
    out.append(f'<text x="{x + 6:.1f}" y="{y + 12}" fill="{TEXT}">{escape(", ".join(parts) or "0")}</text>')
    return out


def _fill(cid: str, index: int) -> str:
    if index == 0:
        return f'fill="{COLOURS[0]}"'
    return f'fill="url(#{cid}-hatch-{index % len(COLOURS)})"'


def _shorten(label: str, length: int = 30) -> str:
    return label if len(label) <= length else label[:length - 1] + "…"


def csv_text(chart: Chart) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_safe(c) for c in chart.csv_columns])
    for row in chart.csv_rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return "\ufeff" + out.getvalue()  # a BOM, so that Excel reads the accents


def _safe(value: Any) -> Any:
    """A text cell starting like a formula is quoted, so a spreadsheet shows it instead of running it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# ------------------------------------------------------------------------------------------- the charts


def _yes(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def comparison_chart(key: str, table: representativeness.Table, title: str, first: str) -> Chart:
    """Share of participants against share of population, for the comparable rows of a table."""
    rows = [r for r in table.rows if r.comparable]
    series = [Series("participants", _("Share of participants"), True),
              Series("population", _("Share of the population"), True)]
    categories = []
    for row in rows:
        participants = (Bar(None, hidden_text(row.people)) if row.people.suppressed
                        else Bar(row.share, percent(row.share)) if row.share is not None
                        else Bar(None, _("no comparison")))
        if row.under_represented:  # said in words beside the bar, not by a colour
            participants.text = _("%(value)s — under-represented", value=participants.text)
        categories.append(Category(row.key or "", row.label, [participants,
                                                               Bar(row.population_share,
                                                                   percent(row.population_share))]))
    flagged = [r.label for r in rows if r.under_represented]
    if not rows:
        # No population figure to compare with: the chart shows who took part, the table says the rest.
        series = [Series("participants", _("Participants"))]
        categories = [Category(row.key or "", row.label,
                               [Bar(None, hidden_text(row.people)) if row.people.suppressed
                                else Bar(float(row.people.raw), number(row.people.raw))]) for row in table.rows]
        description = _("The needs portrait gives no population figure to compare with: the chart shows how many "
                        "people took part. The table below gives every value.")
    elif not table.comparable:
        description = _("Too few participants gave this information to compare them with the population. "
                        "The table below gives the counts.")
    elif flagged:
        description = _("Under-represented: %(groups)s. The table below gives every value.",
                        groups=", ".join(flagged))
    else:
        description = _("No group is under-represented. The table below gives every value.")
    chart = Chart(key, title, description, series, categories)
    chart.columns = [first, _("Participants"), _("Inputs"), _("Share of participants"), _("Population"),
                     _("Share of the population"), _("Ratio"), _("Under-represented")]
    chart.csv_columns = [first, "participants", "inputs", "participant_share", "population", "population_share",
                         "ratio", "under_represented", "note"]
    for row in table.rows:
        chart.rows.append([row.label, count_text(row.people), count_text(row.inputs) if row.inputs else "",
                           percent(row.share), number(row.population), percent(row.population_share),
                           number(round(row.ratio, 2)) if row.ratio is not None else "",
                           _yes(row.under_represented) if row.comparable else ""])
        chart.csv_rows.append([row.label, row.people.value, row.inputs.value if row.inputs else None,
                               round(row.share, 4) if row.share is not None else None, row.population,
                               round(row.population_share, 4) if row.population_share is not None else None,
                               round(row.ratio, 3) if row.ratio is not None else None,
                               int(row.under_represented) if row.comparable else None,
                               hidden_text(row.people) if row.people.suppressed else ""])
    return chart


def groups_chart(table: representativeness.Table) -> Chart:
    series = [Series("participants", _("Participants"))]
    categories = [Category(row.key or "", row.label,
                           [Bar(None, hidden_text(row.people)) if row.people.suppressed
                            else Bar(float(row.people.raw), number(row.people.raw))]) for row in table.rows]
    chart = Chart("groups", _("Participants by population group"),
                  _("How many participants said they belong to each population group, and how many did not say. "
                    "The needs portrait gives no figure to compare with. The table below gives every value."),
                  series, categories)
    chart.columns = [_("Population group"), _("Participants"), _("Inputs")]
    chart.csv_columns = ["population_group", "participants", "inputs", "note"]
    for row in table.rows:
        chart.rows.append([row.label, count_text(row.people), count_text(row.inputs) if row.inputs else ""])
        chart.csv_rows.append([row.label, row.people.value, row.inputs.value if row.inputs else None,
                               hidden_text(row.people) if row.people.suppressed else ""])
    return chart


def invitations_chart(rows: list[dashboard.InvitationRow]) -> Chart:
    states = dashboard.invitation_states()
    shown = [row for row in rows if row.total]
    series = [Series(state.value, label) for state, label in states]
    categories = [Category(row.key, row.label, [Bar(float(row.counts[s]), number(row.counts[s])) for s, _l in states])
                  for row in shown]
    missing = [row.label for row in rows if not row.total]
    description = _("Parties on the invitation list by kind and answer. The table below gives every value.")
    if missing:
        description += " " + _("No party of these kinds is on the list: %(kinds)s.", kinds=", ".join(missing))
    chart = Chart("invitations", _("Invitations by kind of party and answer"), description,
                  series, categories, stacked=True)
    chart.columns = [_("Kind of party")] + [label for _s, label in states] + [_("Total")]
    chart.csv_columns = ["kind"] + [s.value for s, _l in states] + ["total"]
    for row in rows:
        chart.rows.append([row.label] + [number(row.counts[s]) for s, _l in states] + [number(row.total)])
        chart.csv_rows.append([row.label] + [row.counts[s] for s, _l in states] + [row.total])
    return chart


def speaking_chart(key: str, rows: list[dashboard.SpeakingRow], title: str, first: str, total: int) -> Chart:
    series = [Series("share", _("Share of comments"), True)]
    categories = [Category(row.key or "", row.label,
                           [Bar(None, hidden_text(row.people)) if row.people.suppressed
                            else Bar(row.share or 0.0, percent(row.share or 0.0))]) for row in rows]
    chart = Chart(key, title, _("Share of the %(total)s visible comments of the round. The table below gives every "
                                "value.", total=number(total)), series, categories)
    chart.columns = [first, _("People"), _("Comments"), _("Share of comments")]
    chart.csv_columns = [first, "people", "comments", "share", "note"]
    for row in rows:
        chart.rows.append([row.label, count_text(row.people), count_text(row.comments), percent(row.share)])
        chart.csv_rows.append([row.label, row.people.value, row.comments.value,
                               round(row.share, 4) if row.share is not None else None,
                               hidden_text(row.people) if row.people.suppressed else ""])
    return chart


def tags_chart(key: str, entries: list[dict[str, Any]], title: str, first: str) -> Chart:
    labels = {"objective": _("Objective"), "perceived": _("Perceived"), "unspecified": _("Side not stated")}
    series = [Series(side, labels[side]) for side in summary_section.SIDE_KEYS]
    categories, rows, csv_rows = [], [], []
    for entry in entries:
        label = entry_label(entry)
        counts = [entry["by_side"][side]["count"] for side in summary_section.SIDE_KEYS]
        categories.append(Category(entry["key"], label, [Bar(float(n), number(n)) for n in counts]))
        rows.append([label] + [number(n) for n in counts] + [number(entry["count"])])
        csv_rows.append([label, *counts, entry["count"]])
    chart = Chart(key, title, _("Inputs tagged by a person, the objective and the perceived sides apart; an input "
                                "tagged with both counts on both. The table below gives every value."),
                  series, categories)
    chart.columns = [first] + [labels[s] for s in summary_section.SIDE_KEYS] + [_("Inputs")]
    chart.csv_columns = [first, "objective", "perceived", "unspecified", "inputs"]
    chart.rows, chart.csv_rows = rows, csv_rows
    return chart


def entry_label(entry: dict[str, Any]) -> str:
    """The reader's-language label of an entry of the equity section."""
    if "label" in entry:
        from consult.i18n.locale import current_lang

        text = entry["label"].get(current_lang()) or entry["label"].get("fr") or entry["key"]
        return _("%(label)s (retired)", label=text) if entry.get("retired") else text
    return taxonomy.label(entry["key"])


# ------------------------------------------------------------------------------------------ registry


@dataclass
class Lens:
    """Everything the lens page shows, computed once."""

    report: representativeness.Report
    invitations: list[dashboard.InvitationRow]
    involvement: list[dashboard.InvolvementRow]
    speaking: dashboard.Speaking
    section: dict[str, Any]
    charts: dict[str, Chart]


CHART_KEYS = ("areas", "ages", "groups", "invitations", "speakers", "genders", "speaking_ages", "dimensions",
              "relations")


def _charts(report, invitations, speaking, section) -> dict[str, Callable[[], Chart]]:
    return {
        "areas": lambda: comparison_chart("areas", report.areas, _("Participants and population by local area"),
                                          _("Local area")),
        "ages": lambda: comparison_chart("ages", report.ages, _("Participants and population by age band"),
                                         _("Age band")),
        "groups": lambda: groups_chart(report.groups),
        "invitations": lambda: invitations_chart(invitations),
        "speakers": lambda: speaking_chart("speakers", speaking.by_speaker, _("Who spoke: comments by kind of speaker"),
                                           _("Kind of speaker"), speaking.total),
        "genders": lambda: speaking_chart("genders", speaking.by_gender, _("Comments by gender"), _("Gender"),
                                          sum(r.comments.raw for r in speaking.by_gender)),
        "speaking_ages": lambda: speaking_chart("speaking_ages", speaking.by_age, _("Comments by age band"),
                                                _("Age band"), sum(r.comments.raw for r in speaking.by_age)),
        "dimensions": lambda: tags_chart("dimensions", section["dimensions"],
                                         _("Inputs by dimension of inequality"), _("Dimension")),
        "relations": lambda: tags_chart("relations", section["social_relations"],
                                        _("Inputs by social relation"), _("Social relation")),
    }


def build_all(round_: ConsultationRound) -> Lens:
    report = representativeness.report(round_)
    invitations = dashboard.invitations(round_)
    speaking = dashboard.speaking(round_)
    section = summary_section.equity_section(round_)
    makers = _charts(report, invitations, speaking, section)
    return Lens(report, invitations, dashboard.involvement(round_), speaking, section,
                {key: makers[key]() for key in CHART_KEYS})


def build(round_: ConsultationRound, key: str) -> Chart | None:
    """One chart, computing only what it needs; None for an unknown key."""
    if key not in CHART_KEYS:
        return None
    report = representativeness.report(round_) if key in ("areas", "ages", "groups") else None
    invitations = dashboard.invitations(round_) if key == "invitations" else None
    speaking = dashboard.speaking(round_) if key in ("speakers", "genders", "speaking_ages") else None
    section = summary_section.equity_section(round_) if key in ("dimensions", "relations") else None
    return _charts(report, invitations, speaking, section)[key]()
