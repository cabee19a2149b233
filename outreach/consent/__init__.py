"""Samtycke: who consented to sharing what with whom, under the age rules, and withdrawals."""

from flask import Blueprint

bp = Blueprint("consent", __name__)
