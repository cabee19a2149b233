"""A table of statistics, and hiding small counts where numbers leave the team: counts from 1
to 4, and where needed one more so that a total does not give them away, show as "..", as
Statistics Sweden marks figures left out."""

from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l

#: Counts from 1 to this are not shown where numbers leave the team.
SMALL_COUNT = 4
#: What a hidden count shows (as Statistics Sweden marks figures left out).
SUPPRESSED = ".."


@dataclass
class StatTable:
    """A table of figures: a label column, then numbers. Each is shown with a chart.

    `partition` tables add up to their total row (each youth counted once), so hiding one
    small cell is not enough: the total would give it away.
    """

    key: str
    title: str
    headers: list[str]
    rows: list[list]
    total: list | None = None
    partition: bool = False
    #: How the chart shows it: "bar", "hbar" or "line"; None for a table without chart.
    chart: str | None = "bar"
    note: str = ""

    @property
    def rows_with_total(self) -> list[list]:
        """The rows followed by the total row, if any (as an export writes them)."""
        return [*self.rows, *([self.total] if self.total else [])]

    @property
    def has_visible_numbers(self) -> bool:
        """Some count is shown (a chart of hidden counts only would be empty)."""
        return any(
            isinstance(v, int) and not isinstance(v, bool) and v > 0
            for row in self.rows
            for v in row[1:]
        )

    @property
    def is_empty(self) -> bool:
        return not any(
            (isinstance(v, int) and v) or v == SUPPRESSED for row in self.rows for v in row[1:]
        )


@dataclass(frozen=True)
class Section:
    """A part of a statistics page, a tab of its own (a link), so that the page stays short on a
    tablet: its tables by key, in the order the page computes them."""

    slug: str
    title: str
    keys: frozenset


CONTACTS = Section("contacts", _l("Contacts"), frozenset({"kommuner", "months", "weeks", "areas"}))
YOUTHS = Section("youths", _l("Youths met"), frozenset({"gender", "age", "risk"}))
TALKS = Section("talks", _l("Topics and actions"), frozenset({"topics", "actions"}))
HANDOFFS = Section("handoffs", _l("Handoffs"), frozenset({"handoffs", "speed"}))
#: The team statistics' parts, the first shown unless another is chosen.
TEAM_SECTIONS = (CONTACTS, YOUTHS, TALKS, HANDOFFS)
#: The national page's parts: handoffs never leave their kommun.
NATIONAL_SECTIONS = (CONTACTS, YOUTHS, TALKS)


def in_section(tables: list[StatTable], sections, slug: str) -> list[StatTable]:
    """The tables of the section `slug` of `sections`, in their order."""
    keys = next(section.keys for section in sections if section.slug == slug)
    return [table for table in tables if table.key in keys]


def is_small(value) -> bool:
    """A count that is hidden where numbers leave the team (1 to SMALL_COUNT)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= SMALL_COUNT


def _gives_away(values: list[int]) -> bool:
    """Whether hidden cells of a column whose total is shown can be worked out: one alone, or
    several that can only be all 1s or all 4s."""
    count, total = len(values), sum(values)
    return count == 1 or total in (count, SMALL_COUNT * count)


def suppress(table: StatTable) -> StatTable:
    """The table with counts of 1–4 hidden. In a partition (where the rows add up to the total
    shown) further cells of the column are hidden, smallest first, until the hidden ones cannot
    be worked out from the total."""
    rows = [list(row) for row in table.rows]
    for column in range(1, len(table.headers)):
        hidden = {i for i, row in enumerate(rows) if is_small(row[column])}
        while table.partition and hidden and _gives_away([rows[i][column] for i in hidden]):
            others = [
                (row[column], i)
                for i, row in enumerate(rows)
                if i not in hidden and isinstance(row[column], int) and row[column] > 0
            ]
            if not others:
                break  # the total is small too, and hidden below
            hidden.add(min(others)[1])
        for i in hidden:
            rows[i][column] = SUPPRESSED
    total = None
    if table.total is not None:
        total = [SUPPRESSED if is_small(value) else value for value in table.total]
    return replace(table, rows=rows, total=total)
