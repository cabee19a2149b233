"""The whole UI in English for a user who chose it: every page each role opens is read, its
text and the words in its attributes, and nothing of it is a Swedish translation (a text
translated before the user's language was known, or kept in another's).

Data (names, places, notes) stays as written, so only whole texts are compared with the
catalogue's Swedish, never words within them.
"""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import update

from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.risk.models import WarningSign
from tests.factories import make_dead_letter, make_records, signs
from tests.routes import ENDPOINTS, address_of
from tests.test_i18n import CATALOGUE

#: The roles whose pages are read (with the records of their team A).
ROLES = ("falt_a", "lead_a", "vpc", "admin")
#: Attributes whose words the user reads or hears.
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-confirm"}


def _swedish() -> set[str]:
    """The Swedish of every message that reads differently in English (each line of a
    message of several, placeholders cut off)."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    found, english = set(), set()
    for message in catalogue:
        english.update(message.id if isinstance(message.id, tuple) else (message.id,))
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or set(strings) <= set(ids):
            continue
        for string in strings:
            for part in re.split(r"%\(\w+\)[sd]|\{\w*\}", string):
                part = " ".join(part.split()).strip(" .:,;()")
                if len(part) >= 4:
                    found.add(part)
    return found - english


#: The world's data that reads like a translation: the VPC team's name, a report's relation.
DATA = {"Våldspreventivt centrum", "Fältarbetare"}
SWEDISH = _swedish() - DATA


class _Read(HTMLParser):
    """A page's texts as a reader meets them: each text between tags, and the words of the
    attributes read out."""

    def __init__(self):
        super().__init__()
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attributes):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attributes:
            if name in READ_ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def _swedish_on(page: str) -> list[str]:
    reader = _Read()
    reader.feed(page)
    found = []
    for text in reader.texts:
        text = " ".join(text.split()).strip(" .:,;()")
        if text in SWEDISH:
            found.append(text)
    return found


@pytest.fixture
def in_english(app, world):
    with app.app_context():
        db.session.execute(update(User).values(locale="en"))
        team = db.session.get(Team, world.team_a)
        worker = db.session.get(User, world.worker_a)
        records = make_records(team, worker, db.session.get(Area, world.area))
        mail = make_dead_letter(team.kommun)
        sign = db.session.execute(signs(WarningSign.id).limit(1)).scalar_one()
        numbers = {"user_id": world.worker_a2, "mail_id": mail.id, "team_id": team.id}
        numbers["sign_id"] = sign
        db.session.commit()
        return {kind: record.public_id for kind, record in records.items()}, numbers


def test_every_page_is_in_english_for_a_user_who_chose_it(app, in_english, signed_in):
    """Each role's pages, and each form sent empty (its refusals)."""
    records, numbers = in_english
    read, wrong = Counter(), []
    for role in ROLES:
        client = signed_in(role)
        for endpoint, rule, methods in ENDPOINTS:
            address = address_of(rule, records, numbers)
            for method in set(methods) & {"GET", "POST"}:
                if method == "POST":
                    client = signed_in(role)  # what the form did may have logged out
                response = client.open(address.url, method=method, data={})
                if response.mimetype != "text/html" or response.status_code not in (200, 422):
                    continue
                page = response.get_data(as_text=True)
                read[method] += 1
                assert '<html lang="en"' in page or "<html" not in page, address.url
                wrong += [f"{role} {method} {endpoint}: {t!r}" for t in _swedish_on(page)]
    assert not wrong, "\n".join(sorted(set(wrong)))
    assert read["GET"] > 90 and read["POST"] > 50, read
