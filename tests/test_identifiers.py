"""What identifies a person in free text (outreach.identifiers): refused with what was found,
so the worker knows what to take out; numbers that only look like one are not refused."""

import pytest

from outreach.extensions import db
from outreach.identifiers import Identifier, found_in
from outreach.risk.models import WarningSign
from tests.addresses import address_for
from tests.factories import signs

PERSONNUMMER, PHONE, EMAIL = Identifier.PERSONNUMMER, Identifier.PHONE, Identifier.EMAIL


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Pratade med 811218-9876 vid torget", [PERSONNUMMER]),
        ("198112189876", [PERSONNUMMER]),
        ("pnr:20101218+9872", [PERSONNUMMER]),
        ("samordningsnummer 800375-1230", [PERSONNUMMER]),
        ("080315 \u2013 1232", [PERSONNUMMER]),  # dialled, a Stockholm number: said once
        # a mobile number written without separators was refused as a personnummer
        ("Ring mamman på 0701234567 i kväll", [PHONE]),
        ("070-123 45 67", [PHONE]),
        ("+46 70 123 45 67", [PHONE]),
        ("08-123 456 78", [PHONE]),
        ("mejla kim.exempel@skolan.se", [EMAIL]),
        ("811218-9876, 0701234567 och kim@example.se", [PERSONNUMMER, PHONE, EMAIL]),
        # shaped like one, but neither a valid personnummer nor a phone number
        ("Gäller 20100101-1234", []),
        ("ärende 20090315-1234", []),
        ("kl 1530-1700 vid stationen, 12 st", []),
        # times of day that dial as Stockholm numbers
        ("Pass 08.00-17.00, paus 0830-1200 och 13.00 - 15.00", []),
        ("2024-05-01 09.00-12.00", []),
        ("Storgatan 12, 211 45 Malmö, dnr 2024-000123", []),
        ("född 2009, mellan 19 och 21", []),
        ("", []),
        (None, []),
    ],
)
def test_what_identifies_a_person_is_found_and_nothing_else(text, found):
    assert found_in(text) == found


def _a_sign(app) -> int:
    with app.app_context():
        return db.session.execute(signs(WarningSign.id).limit(1)).scalar_one()


@pytest.mark.parametrize(
    ("note", "said"),
    [
        ("Ring 0701234567", "Det här ser ut som ett telefonnummer."),
        ("kim@example.se", "Det här ser ut som en e-postadress."),
        ("811218-9876", "Det här ser ut som ett personnummer."),
    ],
)
def test_a_form_says_what_it_found(app, world, login, adult, note, said):
    client = login("falt_a")
    response = client.post(
        address_for("risk.new_marking", public_id=adult),
        data={"level": "elevated", "signs": [_a_sign(app)], "comment": note},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert said in body
    assert "personnummer" not in body or "personnummer" in said


def test_a_date_shaped_number_that_is_nothing_is_saved(app, world, login, adult):
    client = login("falt_a")
    response = client.post(
        address_for("risk.new_marking", public_id=adult),
        data={"level": "elevated", "signs": [_a_sign(app)], "comment": "Ärende 20100101-1234"},
    )
    assert response.status_code == 303
