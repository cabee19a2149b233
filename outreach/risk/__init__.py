"""Orosmarkering: warning signs observed by the field worker who knows the youth, and a level."""

from flask import Blueprint

bp = Blueprint("risk", __name__)
