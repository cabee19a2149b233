"""The youth's case file: finding a youth, the youth's page (everything every area holds of
them, in one place), who may see a record with protected identity, and merging two records of
the same youth. It gathers from the areas below it and is imported by none."""

from flask import Blueprint

bp = Blueprint("casefile", __name__)
