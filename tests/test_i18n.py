"""Swedish UI through Flask-Babel: a complete catalogue, English per user, Stockholm time."""

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from outreach.auth.models import User
from outreach.extensions import db
from outreach.shifts.models import Shift
from tests.addresses import address_for
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "outreach/translations/sv/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _source_msgids() -> set[str]:
    found = set()
    for folder, method in (("outreach", "python"), ("templates", "jinja2")):
        mapping = [("**.py", "python")] if method == "python" else [("**.html", "jinja2")]
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            mapping,
            keywords=KEYWORDS,
            directory_filter=lambda path: not Path(path).name.startswith("."),  # _macros too
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_ui_text_has_a_swedish_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {}
    for message in catalogue:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[key] = all(strings) and "fuzzy" not in message.flags
    missing = sorted(m for m in _source_msgids() if not translated.get(m))
    assert missing == [], "run `make i18n` and translate: " + "; ".join(missing[:20])


def test_swedish_by_default_and_english_per_user(app, world, login):
    client = login("falt_a")
    page = client.get(address_for("home.start")).get_data(as_text=True)
    assert 'lang="sv"' in page and "Starta fältpass" in page
    assert client.post(address_for("auth.settings"), data={"locale": "en"}).status_code == 303
    page = client.get(address_for("home.start")).get_data(as_text=True)
    assert 'lang="en"' in page and "Start shift" in page
    assert client.post(address_for("auth.settings"), data={"locale": "xx"}).status_code == 422


def test_times_are_stored_utc_and_shown_in_stockholm_time(app, world, login):
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        shift = Shift(
            team_id=world.team_a,
            area_id=world.area,
            created_by_id=worker.id,
            started_at=datetime(2026, 1, 31, 22, 30, tzinfo=UTC),
            workers=[worker],
        )
        db.session.add(shift)
        db.session.commit()
        public_id = shift.public_id
        db.session.expire_all()
        stored = db.session.get(Shift, shift.id).started_at
        assert stored.tzinfo is not None and stored.utcoffset().total_seconds() == 0
    page = (
        login("falt_a")
        .get(address_for("shifts.shift_detail", public_id=public_id))
        .get_data(as_text=True)
    )
    assert "2026-01-31 23:30" in page  # 22:30 UTC is 23:30 in Stockholm in winter


def test_labels_of_equal_codes_in_different_vocabularies_do_not_collide(app):
    from outreach.vocabulary import Gender, Topic

    with app.test_request_context():
        assert str(Topic.OTHER.label) == "Övrigt"
        assert str(Gender.OTHER.label) == "Annat eller okänt"


def test_a_visitor_chooses_the_language_of_the_login_page(app, world):
    client = app.test_client()
    page = client.get(address_for("auth.login")).get_data(as_text=True)
    assert 'lang="sv"' in page and "Logga in i Outreach" in page
    assert '<button type="submit" name="locale" value="en" lang="en"' in page
    chosen = client.post(address_for("auth.choose_language"), data={"locale": "en"})
    assert chosen.status_code == 303 and chosen.location == "/logga-in"
    assert "outreach_language=en" in chosen.headers["Set-Cookie"]
    page = client.get(address_for("auth.login")).get_data(as_text=True)
    assert 'lang="en"' in page and "Log in to Outreach" in page and 'value="sv" lang="sv"' in page
    for refused in ("xx", "", " en"):
        answer = client.post(address_for("auth.choose_language"), data={"locale": refused})
        assert answer.status_code == 422
        assert '<p class="error" role="alert">' in answer.get_data(as_text=True)
    assert client.get_cookie("outreach_language").value == "en"

    # The user's own setting rules once logged in, and is kept for the page after logging out.
    client.post(address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD})
    assert "Starta fältpass" in client.get(address_for("home.start")).get_data(as_text=True)
    assert client.get_cookie("outreach_language").value == "sv"
    client.post(address_for("auth.logout"))
    page = client.get(address_for("auth.login")).get_data(as_text=True)
    assert 'lang="sv"' in page
