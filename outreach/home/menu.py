"""The header's main menu: the pages a user's roles open, in order. On a tablet the header keeps
to one row, so where the menu is long the pages opened now and then (not on a walk in the
street) give way to a "More" menu there; on a wide screen every page is in the row."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from outreach import policy

if TYPE_CHECKING:
    from outreach.auth.models import User

#: From this many pages on, the occasional ones go under "More" where the header is narrow.
CROWDED = 5


@dataclass(frozen=True)
class Item:
    endpoint: str
    label: str
    #: Opened now and then, at a desk: under "More" in a crowded menu on a narrow header.
    occasional: bool = False


def items(user: "User") -> list[Item]:
    """The pages of the user's main menu (the brand opens the start page)."""
    if policy.admin(user):
        return [
            Item("admin.overview", _l("Administration")),
            Item("privacy.overview", _l("Data protection"), occasional=True),
        ]
    offered = [
        (policy.unit_staff, Item("handoffs.inbox", _l("Inbox"))),
        (policy.intake_staff, Item("reports.inbox", _l("Reports of concern"))),
        (policy.field_staff, Item("shifts.shift_list", _l("Shifts"))),
        (policy.field_staff, Item("casefile.search", _l("Youths"))),
        (policy.leads_field_team, Item("review.index", _l("Review"))),
        (policy.leads_a_team, Item("stats.overview", _l("Statistics"), occasional=True)),
        (
            policy.national_statistics,
            Item("stats.national_overview", _l("National statistics"), occasional=True),
        ),
        (policy.leads_field_team, Item("privacy.overview", _l("Data protection"), occasional=True)),
    ]
    return [item for rule, item in offered if rule(user)]


def crowded(menu: list[Item]) -> bool:
    """Whether the menu is too long for one row on a tablet with its occasional pages in it."""
    return len(menu) >= CROWDED and any(item.occasional for item in menu)
