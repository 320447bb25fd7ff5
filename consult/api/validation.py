"""Reading a request body: JSON or multipart, within a size cap, checked against its declared schema.

The check covers the subset of JSON Schema the API's inputs use (types, required and unknown fields,
lengths, choices, bounds, arrays of objects) and says what is wrong with each field in the reader's
language. What passes is then checked by the same forms and services as the pages.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from consult.api.problems import Problem

Errors = dict[str, list[str]]


def _kinds(schema: dict[str, Any]) -> list[str]:
    if "anyOf" in schema:
        found: list[str] = []
        for option in schema["anyOf"]:
            found += _kinds(option)
        return found
    kind = schema.get("type")
    return kind if isinstance(kind, list) else [kind] if kind else []


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null option of a nullable schema."""
    if "anyOf" in schema:
        return next(s for s in schema["anyOf"] if s.get("type") != "null")
    return schema


def _is(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _type_message(kinds: list[str]) -> str:
    wanted = [k for k in kinds if k != "null"]
    words = {"string": _("Give a text."), "integer": _("Give a whole number."),
             "boolean": _("Give true or false."), "array": _("Give a list."), "object": _("Give an object.")}
    message = words.get(wanted[0], _("This value has the wrong type.")) if wanted else _("Give null.")
    return message + (" " + _("Or null.") if "null" in kinds and wanted else "")


def check(value: Any, schema: dict[str, Any], path: str = "", errors: Errors | None = None) -> Errors:
    """Errors of `value` against `schema`, keyed by field path ("title", "positions/0/stance")."""
    errors = {} if errors is None else errors

    def add(message: str) -> None:
        errors.setdefault(path or "body", []).append(message)

    kinds = _kinds(schema)
    if kinds and not any(_is(value, k) for k in kinds):
        add(_type_message(kinds))
        return errors
    if value is None:
        return errors
    schema = _resolve(schema)
    if isinstance(value, str):
        if "\x00" in value:
            add(_("This text holds a NUL character, which is not accepted."))
        if not _encodable(value):  # JSON may carry a lone surrogate ("\ud800"), which no database stores
            add(_("This text is not valid Unicode."))
        minimum, maximum = schema.get("minLength"), schema.get("maxLength")
        if minimum and len(value) < minimum:
            add(_("Write something here.") if minimum == 1 else
                _("At least %(min)d characters.", min=minimum))
        if maximum is not None and len(value) > maximum:
            add(_("At most %(max)d characters.", max=maximum))
        if "enum" in schema and value not in schema["enum"]:
            add(_("Choose one of: %(choices)s.", choices=", ".join(schema["enum"])))
    elif isinstance(value, int) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            add(_("Give a number from %(min)d to %(max)d.", min=low, max=high))
    elif isinstance(value, list):
        for index, element in enumerate(value):
            check(element, schema.get("items", {}), f"{path}/{index}" if path else str(index), errors)
    elif isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.setdefault(f"{path}/{name}" if path else name, []).append(_("This field is required."))
        for name, element in value.items():
            shown = name if _encodable(name) else name.encode("utf-8", "backslashreplace").decode("ascii")
            where = f"{path}/{shown}" if path else shown
            if name not in properties:
                if schema.get("additionalProperties") is False:
                    errors.setdefault(where, []).append(_("Unknown field: leave it out."))
                continue
            check(element, properties[name], where, errors)
    return errors


def _invalid(errors: Errors) -> Problem:
    return Problem("validation", _("Some fields are not valid; nothing was recorded."), errors=errors)


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """The request's JSON object, checked; a Problem (400, 413, 415 or 422) otherwise."""
    cap = current_app.config["CONSULT_API_MAX_JSON_BYTES"]
    if request.content_length is not None and request.content_length > cap:
        raise Problem("too-large", _("A JSON body has at most %(max)d bytes.", max=cap))
    if request.mimetype != "application/json":
        raise Problem("unsupported-media-type", _("Send the body as JSON, with “Content-Type: application/json”."))
    request.max_content_length = cap  # a body without Content-Length stops being read at the cap
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise Problem("too-large", _("A JSON body has at most %(max)d bytes.", max=cap)) from None
    if len(raw) > cap:
        raise Problem("too-large", _("A JSON body has at most %(max)d bytes.", max=cap))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Problem("malformed-request", _("The body is not valid JSON (UTF-8).")) from None
    if not isinstance(data, dict):
        raise _invalid({"body": [_("Send a JSON object, such as {\"body\": \"…\"}.")]})
    errors = check(data, schema)
    if errors:
        raise _invalid(errors)
    return data


def form_body(schema: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """A multipart/form-data body: its fields (integers read as such), checked, and its files."""
    if request.mimetype != "multipart/form-data":
        raise Problem("unsupported-media-type", _("Send this request as multipart/form-data."))
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        raise Problem("too-large", _("The request is larger than the limit.")) from None
    properties = schema.get("properties", {})
    data: dict[str, Any] = {}
    errors: Errors = {}
    for name in form:
        declared = _resolve(properties.get(name, {}))
        given = form.getlist(name)
        if declared.get("type") == "array":
            errors.setdefault(name, []).append(_("Send files in this field, not text."))
            continue
        if len(given) > 1:
            errors.setdefault(name, []).append(_("Give this field once."))
            continue
        value: Any = given[0]
        if declared.get("type") == "integer":
            value = int(value) if re.fullmatch(r"[0-9]{1,12}", value.strip()) else value
        data[name] = value
    attachments = []
    for name in files:
        if properties.get(name, {}).get("type") != "array":
            errors.setdefault(name, []).append(_("Unknown field: leave it out.") if name not in properties
                                               else _("Give a text."))
            continue
        attachments += [f for f in files.getlist(name) if f.filename or f.content_length]
    fields = {k: v for k, v in properties.items() if _resolve(v).get("type") != "array"}  # files are apart
    check(data, {**schema, "properties": fields}, errors=errors)
    if errors:
        raise _invalid(errors)
    return data, attachments


def form_errors(form) -> Errors:
    """A WTForms form's errors as a problem's `errors` (the CSRF field never counts: tokens replace it)."""
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()
            if name and name != "csrf_token"}
