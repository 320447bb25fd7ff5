"""The organizations blueprint: profiles, directory, members and coalitions (views.py), the partnership
registry and funding registers (registry_views.py)."""

from flask import Blueprint

bp = Blueprint("organizations", __name__)
