"""Authentication: users, roles, team membership, login and sessions."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
