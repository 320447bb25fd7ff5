"""The equity lens: who took part, who did not, and what inequalities the inputs speak of.

Tags on inputs (a built-in taxonomy of dimensions, social relations, community types and objective or
perceived sides, plus each establishment's local code lists), suggested by keyword matching and confirmed by
people; representativeness of a round against the needs portrait's population figures; a participation
dashboard by kind of party (never a ranking); the equity section of the summary; accessible charts with
their tables and downloads.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.equity import models, policies, services, views  # noqa: F401  (tables, rules, exporter, routes)
    from consult.equity.blueprint import bp
    from consult.equity.charts import entry_label
    from consult.equity.summary_section import quote_url
    from consult.equity.taxonomy import label
    from consult.equity.views import may_tag, tag_url_of

    app.register_blueprint(bp)
    # For templates/equity/_summary_section.html, which the summary pages include, and for the links to the
    # tagging page that the brief, comment and proposed-need pages show to whoever may tag.
    app.jinja_env.globals.update(equity_tag_label=label, equity_entry_label=entry_label,
                                 equity_quote_url=quote_url, equity_may_tag=may_tag, equity_tag_url=tag_url_of)
