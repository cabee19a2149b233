"""Statistics for team leads: charts and tables per team and period, exports, monthly report."""

from flask import Blueprint

bp = Blueprint("stats", __name__)
