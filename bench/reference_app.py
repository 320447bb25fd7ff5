"""The reference: a minimal Flask + Jinja page served by the same gunicorn settings as the app, so that
each endpoint's throughput can be reported as a ratio to it, measured in the same run on the same machine."""

from flask import Flask

app = Flask(__name__)

# Compiled once, like the app's templates (Jinja caches those too).
PAGE = app.jinja_env.from_string(
    '<!doctype html><html lang="fr-CA"><head><meta charset="utf-8"><title>{{ title }}</title></head>'
    "<body><main><h1>{{ title }}</h1><ul>"
    "{% for item in items %}<li>{{ item }}</li>{% endfor %}"
    "</ul></main></body></html>"
)


@app.get("/")
def page():
    return PAGE.render(title="Référence", items=[f"élément {i}" for i in range(20)])
