"""Keyset pagination: a page starts after the last row of the one before (its time, a rank
that orders kinds of rows logged at the same instant, and its public id), so page 5,000 costs the
same index walk as page 1 and rows logged meanwhile never shift a page."""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, tuple_

from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.fields import EARLIEST_YEAR, LATEST_YEAR

BAD_CURSOR = _l("The page address is damaged. Start again from the first page.")


@dataclass(frozen=True, order=True)
class Cursor:
    """Where a page ends: the last row's time, kind and public id (descending order)."""

    at: datetime
    rank: int
    public_id: str

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.rank}|{self.public_id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        """The cursor in a page address; a damaged one is refused with a message."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            at, rank, public_id = raw.split("|")
            moment = datetime.fromisoformat(at)
            if moment.tzinfo is None or rank not in ("0", "1") or not public_id:
                raise ValueError(raw)
            moment = moment.astimezone(UTC)
            if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
                raise ValueError(raw)
            return cls(moment, int(rank), public_id)
        except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error) as error:
            raise RuleViolation(BAD_CURSOR) from error


def in_order(
    query: Select,
    moment_column,
    id_column,
    rank: int,
    cursor: Cursor | None,
    oldest_first: bool,
    limit: int,
) -> Select:
    """The rows after the cursor in (time, kind rank, public id) order, newest or oldest
    first, at most `limit` of them."""
    if cursor is not None:
        # Seen from the cursor, a row of a later-sorting kind at the same instant comes after it.
        later_kind = rank > cursor.rank if oldest_first else rank < cursor.rank
        same_kind = rank == cursor.rank
        if oldest_first:
            beyond = moment_column >= cursor.at if later_kind else moment_column > cursor.at
            pair = tuple_(moment_column, id_column) > tuple_(cursor.at, cursor.public_id)
        else:
            beyond = moment_column <= cursor.at if later_kind else moment_column < cursor.at
            pair = tuple_(moment_column, id_column) < tuple_(cursor.at, cursor.public_id)
        query = query.where(pair if same_kind else beyond)
    if oldest_first:
        return query.order_by(moment_column.asc(), id_column.asc()).limit(limit)
    return query.order_by(moment_column.desc(), id_column.desc()).limit(limit)


def load_in_order(model, ids: list[int], *options) -> list:
    """The records with these ids, in the order of the ids: a page found as ids first (its
    sort and limit on narrow rows), then loaded with what its records bring along."""
    found = db.session.execute(select(model).options(*options).where(model.id.in_(ids)))
    position = {record_id: index for index, record_id in enumerate(ids)}
    return sorted(found.scalars(), key=lambda record: position[record.id])


def newest_first(query: Select, moment_column, id_column, cursor, size: int) -> tuple[list, bool]:
    """One page of a single kind of row, newest first after the cursor: what `query` selects
    for at most `size` rows, and whether more follow."""
    rows = list(
        db.session.execute(
            in_order(query, moment_column, id_column, 0, cursor, oldest_first=False, limit=size + 1)
        ).scalars()
    )
    return rows[:size], len(rows) > size
