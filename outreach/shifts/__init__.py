"""Fältpass (shifts) and the anonymous contacts logged during them."""

from flask import Blueprint

bp = Blueprint("shifts", __name__)
