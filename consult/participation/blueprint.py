"""The participation blueprint; briefs/, comments/ and answers/ add their routes to it."""

from flask import Blueprint

bp = Blueprint("participation", __name__)
