"""Rendering outside a request: a worker has no request, yet `url_for`, the templates and the reader's language
need one. `in_language` gives a request context (from CONSULT_BASE_URL) when none is active, and forces the
file's language for every label."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import current_app, has_request_context
from flask_babel import force_locale

from consult.summaries.render.labels import LANGS, LOCALES


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGS)}")
    return lang


@contextlib.contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Labels in `lang`, links that resolve, in a request or in a worker."""
    check_lang(lang)
    with contextlib.ExitStack() as stack:
        if not has_request_context():
            stack.enter_context(current_app.test_request_context(base_url=current_app.config["CONSULT_BASE_URL"]))
        stack.enter_context(force_locale(LOCALES[lang]))
        yield
