"""The start page: what each user has to do now, gathered from the areas below it; and the
header's main menu, the pages each user's roles open (menu.py)."""

from flask import Blueprint

bp = Blueprint("home", __name__)
