"""Queue an e-mail in the recipient's language. Never commits: the caller's commit sends it."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from consult.core.db import db
from consult.core.tasking import enqueue_after_commit
from consult.mail.models import Email

LOCALES = {"fr": "fr_CA", "en": "en_CA"}


def send(to_addr: str, template: str, *, lang: str = "fr", user_id: int | None = None, **context) -> Email:
    """Render templates/emails/<template>.txt (first line is the subject) in `lang` and queue it."""
    with force_locale(LOCALES.get(lang, "fr_CA")):
        rendered = render_template(f"emails/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    email = Email(to_addr=to_addr, subject=subject.strip()[:300], body_text=body.strip() + "\n",
                  user_id=user_id)
    db.session.add(email)
    db.session.flush()
    from consult.mail.tasks import deliver

    enqueue_after_commit(deliver, email.id)
    return email
