"""The admin's (systemförvaltare's) pages: users, teams, areas and places. No youth data."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
