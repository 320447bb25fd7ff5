"""The summaries blueprint: compilation jobs, theme review, summary pages and their downloads."""

from flask import Blueprint

bp = Blueprint("summaries", __name__)
