"""Organizations: profiles, members and representatives, coalitions, and the partnership registry with
its two funding registers."""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.organizations import policies, privacy, registry_views, views  # noqa: F401  (registers)
    from consult.organizations.blueprint import bp
    from consult.organizations.registry import field_label, money, value_label

    app.register_blueprint(bp)
    app.jinja_env.globals.update(history_field=field_label, history_value=value_label)
    app.jinja_env.filters["money"] = money
