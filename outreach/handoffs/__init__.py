"""Överlämning to Våldspreventivt centrum: the handoff, its statuses, and the VPC inbox."""

from flask import Blueprint

bp = Blueprint("handoffs", __name__)
