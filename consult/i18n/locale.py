"""Which language a page is shown in: the signed-in user's preference, then the visible FR/EN toggle
(kept in the session), then the browser's Accept-Language, then French (Québec)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale, get_translations
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept

bp = Blueprint("i18n", __name__)

LANGS = {"fr": "fr_CA", "en": "en_CA"}


def select_locale() -> str:
    if not has_request_context():  # a worker or a command: French unless force_locale() says otherwise
        return LANGS["fr"]
    user_lang = getattr(current_user, "locale", None) if current_user else None
    if user_lang in LANGS:
        return LANGS[user_lang]
    return LANGS[visitor_language(session.get("lang"), request.accept_languages)]


def visitor_language(chosen: object, accept: LanguageAccept) -> str:
    """"fr" or "en" for someone without an account preference: the toggle's choice kept in the session, then
    the browser's Accept-Language, then French. The page cache keys visitors' pages by the same rule."""
    if chosen in LANGS:
        return chosen  # type: ignore[return-value]
    return accept.best_match(list(LANGS), default="fr") or "fr"


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_lang() -> str:
    return get_locale().language if get_locale() else "fr"


def safe_next(target: str | None, fallback: str = "main.home") -> str:
    """Only same-site relative paths; anything else (other host, scheme, //host) goes home."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for(fallback)


@bp.get("/lang/<code>")
def switch(code: str):
    if code not in LANGS:
        code = "fr"
    session["lang"] = code
    if getattr(current_user, "is_authenticated", False) and current_user.locale != code:
        from consult.core.db import db

        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(request.args.get("next")))


def _translations():
    """The request's catalog, found once per request. Flask-Babel looks it up again on every string
    (about 50 µs each, a third of a page's time); its own `babel_translations` slot, which
    force_locale() and refresh() reset, keeps the answer for the rest of the request."""
    ctx = g.get("_flask_babel") if g else None
    if ctx is None:
        return get_translations()
    found = getattr(ctx, "babel_translations", None)
    if found is None:
        found = ctx.babel_translations = get_translations()
    return found


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def _lang():
        lang = current_lang()
        other = "en" if lang == "fr" else "fr"
        return {"lang": lang, "other_lang": other,
                "other_lang_name": "English" if other == "en" else "Français"}
