"""Orosanmälan: reports of concern about a child to the social services' intake unit."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
