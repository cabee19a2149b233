"""The start page: what each user has to do now, gathered from the areas below it."""

from flask import Blueprint

bp = Blueprint("home", __name__)
