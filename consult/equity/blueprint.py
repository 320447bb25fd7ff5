"""The equity blueprint: tagging inputs, reviewing suggested tags, the taxonomy of an establishment, and the
equity lens of a round (representativeness, participation dashboard, inputs by dimension, chart downloads)."""

from flask import Blueprint

bp = Blueprint("equity", __name__)
