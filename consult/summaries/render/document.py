"""One summary as one audience reads it: which content (the whole, or `public_view`), whether the files that
could not be read are listed, and whether links are absolute (files) or relative (the page).

Who reads what:
- the establishment's planners (and administrators) read everything on the page, confidential holders included,
  and the files that could not be read while the summary is a draft;
- everyone else reads `public_view`;
- files and data exports are documents that travel: a draft's (only planners may download it) is whole, a
  published summary's is the public view, whoever downloads it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from flask import url_for

from consult.summaries.content import public_view, source_url
from consult.summaries.models import Summary, SummaryState
from consult.summaries.render import labels

QUOTE_LISTS = ("themes", "items")


@dataclass
class SummaryDocument:
    summary: Summary
    content: dict[str, Any]
    whole: bool                # confidential holders are named
    problems: bool             # the files that could not be read are listed
    external: bool = False     # absolute links (PDF, DOCX, JSON)

    # The page and files read these -------------------------------------------------------------------

    @property
    def round_id(self) -> int:
        return self.summary.round_id

    @property
    def is_draft(self) -> bool:
        return self.summary.state is SummaryState.draft

    @property
    def compiled_at(self) -> datetime | None:
        return labels.when(self.content.get("compiled_at"))

    @property
    def inputs_until(self) -> datetime | None:
        return labels.when(self.content.get("inputs_until"))

    @property
    def themes_reviewed(self) -> bool:
        return bool(self.content.get("themes_reviewed"))

    @property
    def extraction_problems(self) -> list[dict[str, Any]]:
        return list(self.content.get("extraction_problems") or []) if self.problems else []

    def steps(self) -> list[tuple[int, list[dict[str, Any]]]]:
        """Items grouped by step, in the order the compiler wrote them (step order, then position)."""
        items = sorted(self.content.get("items") or [], key=lambda item: item.get("step", 0))
        return [(step, list(group)) for step, group in groupby(items, key=lambda item: item.get("step", 0))]

    def participation_tables(self) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
        """(key, dimension, caption, counts) of each non-empty participation table."""
        found = self.content.get("participation") or {}
        return [(key, dimension, str(caption), found.get(key) or [])
                for key, dimension, caption in labels.PARTICIPATION_TABLES if found.get(key)]

    def link(self, source: dict[str, Any] | None) -> str | None:
        """The link that opens a quote's source (None for a planner's own example)."""
        if not source:
            return None
        return source_url(self.round_id, source, external=self.external)  # type: ignore[arg-type]

    def url(self, endpoint: str, **values: Any) -> str:
        if self.external:
            from consult.notifications.services import external_url

            return external_url(endpoint, **values)
        return url_for(endpoint, **values)

    def brief_url(self, brief_id: int) -> str:
        return self.url("participation.brief", brief_id=brief_id)

    def attachment_url(self, problem: dict[str, Any]) -> str:
        return self.url("participation.attachment", brief_id=problem["brief_id"],
                        attachment_id=problem["attachment_id"])

    def quotes(self) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        """Every quote with where it is shown: ("theme", theme, quote), ("item", item, quote), ("campaign",
        campaign, campaign) — for the data exports."""
        out: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        for theme in self.content.get("themes") or []:
            out.extend(("theme", theme, quote) for quote in theme.get("quotes") or [])
        for item in self.content.get("items") or []:
            out.extend(("item", item, quote) for quote in item.get("quotes") or [])
        for campaign in self.content.get("campaigns") or []:
            out.append(("campaign", campaign, campaign))
        return out


def _without_problems(content: dict[str, Any]) -> dict[str, Any]:
    # Filenames of attachments, confidential briefs' included: the establishment's business.
    return {**content, "extraction_problems": []}


def for_page(summary: Summary, *, planner: bool) -> SummaryDocument:
    """The summary as its page shows it to this reader (`planner`: may oversee the round)."""
    content = summary.content
    if not planner:
        return SummaryDocument(summary, _without_problems(dict(public_view(content))),  # type: ignore[arg-type]
                               whole=False, problems=False)
    draft = summary.state is SummaryState.draft
    return SummaryDocument(summary, dict(content), whole=True, problems=draft)


def for_file(summary: Summary, *, external: bool = True) -> SummaryDocument:
    """The summary as its files and data exports carry it: whole while a draft, the public view once
    published."""
    if summary.state is SummaryState.draft:
        return SummaryDocument(summary, dict(summary.content), whole=True, problems=True, external=external)
    content = _without_problems(dict(public_view(summary.content)))  # type: ignore[arg-type]
    return SummaryDocument(summary, content, whole=False, problems=False, external=external)


def with_source_urls(document: SummaryDocument) -> dict[str, Any]:
    """The content with an absolute `url` beside every quote's source (for the JSON export)."""
    content = copy.deepcopy(document.content)
    round_id = document.round_id

    def add(source: dict[str, Any] | None) -> None:
        if source:
            source["url"] = source_url(round_id, source, external=True)  # type: ignore[arg-type]

    for key in QUOTE_LISTS:
        for entry in content.get(key) or []:
            for quote in entry.get("quotes") or []:
                add(quote.get("source"))
    for campaign in content.get("campaigns") or []:
        add(campaign.get("source"))
    for need in content.get("proposed_needs") or []:
        add(need.get("source"))
    return content
