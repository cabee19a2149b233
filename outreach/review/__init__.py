"""The team lead's review of the team's log: the filtered list, sign-off and exports."""

from flask import Blueprint

bp = Blueprint("review", __name__)
