"""The shapes of the API, as JSON Schema (the dialect of OpenAPI 3.1): what every response holds and what
every request may send. The OpenAPI document (openapi.py) and the request checks (validation.py) both read
these declarations, so what is documented is what is checked and what is served.

Descriptions are lazy strings: the document comes in the reader's language.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from consult.participation.briefs.forms import BODY_MAX as BRIEF_BODY_MAX
from consult.participation.briefs.forms import POSITION_MAX, SUMMARY_MAX
from consult.participation.briefs.forms import TITLE_MAX as BRIEF_TITLE_MAX
from consult.participation.comments.forms import BODY_MAX, TITLE_MAX
from consult.participation.models import BriefVisibility, Outcome, ProposedNeedState, Stance
from consult.projects.kinds import KINDS
from consult.projects.models import ProjectStatus, StepState
from consult.rounds.models import Audience, InvitationState, ParticipationLevel, RoundState
from consult.territories.models import Level

ID_MAX = 2**31 - 1


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    return {**schema, "type": [*(kind if isinstance(kind, list) else [kind]), "null"]}


def text(description: Any = None, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "string", **extra}
    if description is not None:
        found["description"] = description
    return found


def integer(description: Any = None, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "integer", **extra}
    if description is not None:
        found["description"] = description
    return found


def identifier(description: Any = None) -> dict[str, Any]:
    return integer(description, minimum=1, maximum=ID_MAX)


def boolean(description: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "boolean"}
    if description is not None:
        found["description"] = description
    return found


def moment(description: Any = None) -> dict[str, Any]:
    return text(description, format="date-time")


def enum(values: list[str], description: Any = None) -> dict[str, Any]:
    return text(description, enum=values)


def array(items: dict[str, Any], description: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "array", "items": items}
    if description is not None:
        found["description"] = description
    return found


def obj(properties: dict[str, Any], *, optional: tuple[str, ...] = (), description: Any = None,
        closed: bool = True) -> dict[str, Any]:
    """An object whose properties are all required unless listed in `optional`."""
    found: dict[str, Any] = {"type": "object", "properties": properties,
                             "required": [name for name in properties if name not in optional]}
    if closed:
        found["additionalProperties"] = False
    if description is not None:
        found["description"] = description
    return found


def values(kind) -> list[str]:
    return [member.value for member in kind]


LINK = text(_l("Absolute link to the page of the site showing it."), format="uri")
ITEM_KINDS = list(KINDS)
UID = text(_l("Stable identifier of the item, kept across versions."), pattern="^[0-9a-f-]{1,36}$",
           maxLength=36)

# --------------------------------------------------------------------------------------------------
# Responses

SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": obj({
        "type": text(_l("Link to the explanation of this kind of problem."), format="uri-reference"),
        "title": text(_l("What kind of problem, in the requested language.")),
        "status": integer(_l("The HTTP status.")),
        "detail": text(_l("What went wrong this time, in the requested language.")),
        "instance": text(_l("The path that was asked.")),
        "errors": {"type": "object", "additionalProperties": array(text()),
                   "description": _l("For invalid data: the messages of each field, by field name.")},
    }, optional=("errors",), description=_l("An error, as RFC 9457 problem details.")),
    "TerritoryRef": obj({"id": identifier(), "code": text(), "name": text(), "level": enum(values(Level))}),
    "Territory": obj({
        "id": identifier(), "code": text(_l("Official code of the territory.")), "name": text(),
        "level": enum(values(Level), _l("region, rls (local services network), clsc, municipality or "
                                        "neighbourhood.")),
        "level_label": text(), "parent_id": nullable(identifier(_l("The territory containing it.")))}),
    "NamedRef": obj({"id": identifier(), "name": text()}),
    "Establishment": obj({
        "id": identifier(), "name": text(),
        "kind": text(_l("Type of establishment, as the network names it (CSSS, CISSS, CIUSSS, …).")),
        "formed_voluntarily": boolean(), "region": nullable(ref("TerritoryRef")),
        "territories": array(ref("TerritoryRef"), _l("The territories it serves."))}),
    "Organization": obj({
        "id": identifier(), "name": text(), "kind": text(), "kind_label": text(),
        "legal_name": nullable(text()), "neq": nullable(text(_l("Québec enterprise number.")) ),
        "mission": nullable(text(_l("In the organization's own words (Markdown)."))),
        "website": nullable(text()), "verified": boolean(_l("Marked as verified by an administrator.")),
        "territories": array(ref("TerritoryRef")), "programmes": array(text(), _l("Programme codes.")),
        "member_of": array(ref("NamedRef"), _l("Coalitions and round tables it confirmed it belongs to.")),
        "members": array(ref("NamedRef"), _l("For a coalition or round table: member organizations that "
                                             "confirmed.")),
        "url": LINK}, description=_l("An organization's public profile. Contact details are on its page.")),
    "Step": obj({
        "number": integer(minimum=1, maximum=6), "title": text(), "state": enum(values(StepState)),
        "state_label": text(),
        "latest_version_id": nullable(identifier(_l("The latest published version of the step.")))}),
    "Project": obj({
        "id": identifier(), "title": text(), "summary": nullable(text()), "status": enum(values(ProjectStatus)),
        "status_label": text(), "start_date": nullable(text(format="date")),
        "end_date": nullable(text(format="date")), "establishment": ref("NamedRef"),
        "programme": obj({"code": text(), "name": text()}), "territories": array(ref("TerritoryRef")),
        "steps": array(ref("Step")), "url": LINK}, description=_l("A clinical project with a published step.")),
    "Version": obj({
        "id": identifier(), "project": ref("NamedRef"),
        "step": obj({"number": integer(minimum=1, maximum=6), "title": text()}),
        "number": integer(_l("Version number within the step.")),
        "purpose": enum(["consultation", "adopted"]), "published_at": moment(),
        "summary": nullable(text(_l("Plain-language summary of the step, as frozen."))),
        "item_count": integer(),
        "counts": {"type": "object", "additionalProperties": integer(),
                   "description": _l("How many items of each kind it holds.")},
        "url": LINK}, description=_l("A published (frozen) version of a step: it never changes.")),
    "Item": obj({
        "version_id": identifier(), "uid": UID, "kind": enum(ITEM_KINDS),
        "position": integer(), "title": text(),
        "data": {"type": "object", "description": _l("Every field of the item, as frozen in the version.")},
        "url": LINK}, description=_l("One item of a published version: a need, indicator, service, gap, care "
                                     "model, offer element or responsibility.")),
    "RoundItem": obj({
        "version_id": identifier(), "step_number": integer(minimum=1, maximum=6), "uid": UID,
        "kind": enum(ITEM_KINDS), "position": integer(), "title": text(),
        "data": {"type": "object"},
        "supports": integer(_l("How many people support it.")),
        "comments": integer(_l("Comments and replies on it, those hidden by moderation aside.")),
        "url": LINK}, description=_l("An item in consultation in a round, with its supports and comments.")),
    "Round": obj({
        "id": identifier(), "title": text(), "mandate": text(_l("What is asked and what the establishment "
                                                                 "commits to (Markdown).")),
        "participation_level": enum(values(ParticipationLevel)), "participation_level_label": text(),
        "budgets_in_scope": boolean(), "audience": enum(values(Audience)), "opens_at": moment(),
        "closes_at": moment(), "state": enum(values(RoundState)), "state_label": text(),
        "project": ref("NamedRef"), "establishment": ref("NamedRef"),
        "versions": array(obj({"id": identifier(), "step_number": integer(minimum=1, maximum=6),
                               "number": integer()}), _l("The published versions in consultation.")),
        "questions": array(obj({"step_number": integer(minimum=1, maximum=6), "text": text()})),
        "invitations": array(obj({
            "party": text(), "organization_id": nullable(identifier()),
            "is_establishment": boolean(), "state": enum(values(InvitationState)), "state_label": text(),
            "reason": nullable(text()), "answered_at": nullable(moment())}),
            _l("Who was invited and who took part.")),
        "url": LINK, "open_data_url": LINK},
        description=_l("A consultation round, out of draft.")),
    "Comment": obj({
        "id": identifier(), "round_id": identifier(), "version_id": identifier(), "item_uid": UID,
        "item_kind": text(), "parent_id": nullable(identifier()), "root_id": identifier(),
        "author": nullable(text(_l("The name shown with the comment on the site; null when hidden.")) ),
        "body": nullable(text(_l("Plain text; null when hidden by moderation."))),
        "hidden": boolean(), "hidden_reason": nullable(text(_l("The moderation's public reason."))),
        "created_at": moment(), "edited_at": nullable(moment()),
        "reply_count": integer(_l("Replies in its thread (first comments only)."))
        , "url": LINK}),
    "ProposedNeed": obj({
        "id": identifier(), "round_id": identifier(), "version_id": identifier(),
        "title": nullable(text()), "description": nullable(text()), "area": nullable(ref("TerritoryRef")),
        "state": enum(values(ProposedNeedState)), "state_label": text(),
        "accepted_need_uid": nullable(text(_l("The need of the portrait it became, once accepted."))),
        "author": nullable(text()), "hidden": boolean(), "hidden_reason": nullable(text()),
        "created_at": moment(), "url": LINK}),
    "Position": obj({"version_id": identifier(), "item_uid": UID, "item_kind": text(),
                     "stance": enum(values(Stance)), "text": nullable(text())}),
    "Attachment": obj({"id": identifier(), "filename": text(), "media_type": text(), "size": integer(),
                       "url": LINK}),
    "Brief": obj({
        "id": identifier(), "round_id": identifier(), "organization": ref("NamedRef"),
        "cosigners": array(ref("NamedRef"), _l("Organizations that confirmed they co-sign.")),
        "title": nullable(text()), "summary": nullable(text()), "body": nullable(text(_l("Markdown."))),
        "submitted_at": moment(), "digest": nullable(text(_l("SHA-256 of the submitted content.")) ),
        "hidden": boolean(), "hidden_reason": nullable(text()),
        "positions": array(ref("Position")), "attachments": array(ref("Attachment")), "url": LINK},
        description=_l("A public brief: submitted, made public by its organization, once the round closed.")),
    "BriefReceipt": obj({
        "id": identifier(), "round_id": identifier(), "organization": ref("NamedRef"), "title": text(),
        "visibility": enum(values(BriefVisibility)), "state": enum(["submitted"]), "submitted_at": moment(),
        "digest": text(_l("SHA-256 of the submitted content, as in the receipt e-mail.")),
        "positions": array(ref("Position")), "attachments": array(ref("Attachment")), "url": LINK},
        description=_l("The brief just submitted. A receipt is also sent by e-mail.")),
    "Answer": obj({
        "input_kind": enum(["brief", "comment", "proposed_need"]), "input_id": identifier(),
        "outcome": enum(values(Outcome)), "outcome_label": text(), "reason": text(),
        "answered_at": moment()},
        description=_l("The establishment's answer to one input, and why.")),
    "Summary": obj({
        "id": identifier(), "round_id": identifier(), "number": integer(), "published_at": moment(),
        "content": {"type": "object", "description": _l(
            "The compiled summary: totals, participation (counts under 5 are suppressed), themes with their "
            "quotes, items with supports, positions, agreements and disagreements, campaigns, proposed needs "
            "and answers. Each quote's `source.url` opens it in context.")},
        "url": nullable(LINK)}, description=_l("The latest published summary of a round.")),
    "SupportState": obj({"supported": boolean(_l("Whether the token's owner supports the item now.")),
                         "supports": integer(_l("How many people support it."))}),
    "Me": obj({
        "user": obj({"id": identifier(), "name": text(_l("The name shown with what this person publishes."))}),
        "token": obj({"name": text(), "prefix": text(), "scope": enum(["read", "participate"]),
                      "created_at": moment(), "last_used_at": nullable(moment()),
                      "expires_at": nullable(moment())})}),
}

# --------------------------------------------------------------------------------------------------
# Requests

INPUTS: dict[str, dict[str, Any]] = {
    "CommentInput": obj({"body": text(_l("Plain text; an empty line separates paragraphs."), minLength=1,
                                      maxLength=BODY_MAX)}),
    "ProposedNeedInput": obj({
        "title": text(_l("The missing need, in a few words."), minLength=1, maxLength=TITLE_MAX),
        "description": text(_l("Who has this need, where, and what is missing today."), minLength=1,
                            maxLength=BODY_MAX),
        "area_id": nullable(identifier(_l("Optional: the local area (a territory of the project) where it is "
                                          "felt most.")))}, optional=("area_id",)),
    "BriefInput": obj({
        "organization_id": identifier(_l("The organization the brief speaks for; the token's owner must be "
                                         "one of its representatives. May be left out when they represent "
                                         "only one.")),
        "title": text(minLength=1, maxLength=BRIEF_TITLE_MAX),
        "summary": text(maxLength=SUMMARY_MAX),
        "body": text(_l("Markdown."), maxLength=BRIEF_BODY_MAX),
        "visibility": enum(values(BriefVisibility), _l("public (published once the round closes, the default) "
                                                      "or confidential (read by the establishment only).")),
        "positions": text(_l("A JSON array of positions on items in consultation: "
                             "[{\"version_id\": 1, \"item_uid\": \"…\", \"stance\": \"support|oppose|amend\", "
                             "\"text\": \"…\"}]. For amend, text is the wording asked for."), maxLength=200_000),
        "attachments": array(text(contentMediaType="application/octet-stream", format="binary"),
                             _l("PDF, DOCX or ODT documents, checked from their content.")),
    }, optional=("organization_id", "summary", "body", "visibility", "positions", "attachments")),
}

POSITION_INPUT = obj({"version_id": identifier(), "item_uid": text(minLength=1, maxLength=36),
                      "stance": enum(values(Stance)), "text": nullable(text(maxLength=POSITION_MAX))},
                     optional=("text",))


def list_of(name: str) -> dict[str, Any]:
    return obj({"items": array(ref(name)),
                "next": nullable(text(_l("Pass it as ?cursor= for the next page; null on the last page.")))},
               description=_l("One page of a list."))
