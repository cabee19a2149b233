"""The youth registry and contacts with named youths."""

from flask import Blueprint

bp = Blueprint("youths", __name__)
