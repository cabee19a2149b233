"""Notifications: in the app (a badge and a list) and by email through an outbox."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
