"""Data protection in daily use: the access-log review (loggkontroll), retention (gallring),
register extracts (registerutdrag) and the privacy page."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
