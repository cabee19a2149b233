"""Health checks for the load balancer and the monitoring: is the process up, is it ready."""

from flask import Blueprint

bp = Blueprint("health", __name__)
