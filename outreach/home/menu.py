"""The header's main menu: the pages a user's roles open, in order. On a tablet the header keeps
to one row, so where the menu is long it keeps the pages opened on a walk in the street and the
rest give way to a "More" menu there; on a wide screen every page is in the row."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from outreach import policy

if TYPE_CHECKING:
    from outreach.auth.models import User

#: How many entries a tablet's header row holds beside the brand, the notifications, the user
#: and logging out: a longer menu keeps this many less one and puts the rest under "More".
ROW = 4


@dataclass(frozen=True)
class Item:
    endpoint: str
    label: str
    #: Opened now and then, at a desk: the first to go under "More" on a narrow header.
    occasional: bool = False


@dataclass(frozen=True)
class Menu:
    """A user's main menu: every page in order, and those under "More" on a narrow header
    (none: the menu has no "More")."""

    items: list[Item]
    more: list[Item] = field(default_factory=list)


DATA_PROTECTION = Item("privacy.overview", _l("Data protection"), occasional=True)


def items(user: "User") -> list[Item]:
    """The pages of the user's main menu (the brand opens the start page)."""
    if policy.admin(user):
        return [Item("admin.overview", _l("Administration")), DATA_PROTECTION]
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
        (policy.leads_field_team, DATA_PROTECTION),
    ]
    return [item for rule, item in offered if rule(user)]


def for_user(user: "User") -> Menu:
    """The user's menu and what goes under "More" on a narrow header: where the pages do not
    fit the row, the row keeps the first pages not occasional and the rest go under "More"."""
    pages = items(user)
    if len(pages) <= ROW:
        return Menu(pages)
    kept = [item for item in pages if not item.occasional][: ROW - 1]
    return Menu(pages, [item for item in pages if item not in kept])
