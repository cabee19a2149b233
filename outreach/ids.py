"""Opaque public ids for URLs, so that ids cannot be walked from one record to the next.

Every address that names a record says which kind of record it names with a converter of
that kind (`/ungdomar/<youth:public_id>`): an id of the wrong shape never reaches a view, and
the authorization tests know from the address which record to put in it.
"""

import secrets

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.routing import BaseConverter, IntegerConverter

PUBLIC_ID_LENGTH = 16


def new_public_id() -> str:
    """A random, URL-safe id of 16 characters (96 bits)."""
    return secrets.token_urlsafe(12)


def public_id_column() -> Mapped[str]:
    """The public_id column every URL-addressed record carries."""
    return mapped_column(
        String(PUBLIC_ID_LENGTH), unique=True, nullable=False, default=new_public_id
    )


class PublicIdConverter(BaseConverter):
    """A public id in an address; `kind` names the record it addresses."""

    regex = rf"[A-Za-z0-9_-]{{{PUBLIC_ID_LENGTH}}}"
    kind = ""


class DatabaseIntConverter(IntegerConverter):
    """`<int:…>` in every address: a number a database integer column can hold, so a huge one
    is not found (404) instead of overflowing the query."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


#: The kinds of record addressed by public id, each with its URL converter.
RECORD_KINDS = (
    "shift",
    "youth",
    "contact",
    "marking",
    "consent",
    "report",
    "handoff",
    "request",
)

#: The app's URL converters: one per record kind, and a bounded `int`.
CONVERTERS = {
    **{
        kind: type(f"{kind.title()}IdConverter", (PublicIdConverter,), {"kind": kind})
        for kind in RECORD_KINDS
    },
    "int": DatabaseIntConverter,
}
