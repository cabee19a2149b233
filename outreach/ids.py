"""Opaque public ids for URLs, so that ids cannot be walked from one record to the next."""

import secrets

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

PUBLIC_ID_LENGTH = 16


def new_public_id() -> str:
    """A random, URL-safe id of 16 characters (96 bits)."""
    return secrets.token_urlsafe(12)


def public_id_column() -> Mapped[str]:
    """The public_id column every URL-addressed record carries."""
    return mapped_column(
        String(PUBLIC_ID_LENGTH), unique=True, nullable=False, default=new_public_id
    )
