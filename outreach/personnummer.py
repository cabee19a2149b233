"""Swedish personal identity numbers: validation (python-stdnum) and masking. Spotting them in
free text, where they must not be, is outreach.identifiers'."""

import re
from datetime import date

from stdnum import exceptions as stdnum_errors
from stdnum.se import personnummer as stdnum_pnr


class InvalidPersonnummer(ValueError):
    """The text is not a valid personnummer."""


def normalise(value: str) -> str:
    """A valid personnummer as 12 digits, YYYYMMDDNNNN; raises InvalidPersonnummer."""
    try:
        compact = stdnum_pnr.validate(value.strip())
        birth = stdnum_pnr.get_birth_date(compact)
    except stdnum_errors.ValidationError as error:
        raise InvalidPersonnummer(str(error)) from error
    last_ten = re.sub(r"\D", "", compact)[-10:]
    return f"{birth.year // 100:02d}{last_ten}"


def birth_year(normalised: str) -> int:
    """The birth year of a normalised personnummer."""
    return int(normalised[:4])


def masked(normalised: str | None) -> str:
    """For lists: the birth date shown, the last four digits hidden (YYYYMMDD-XXXX)."""
    if not normalised:
        return ""
    return f"{normalised[:8]}-XXXX"


def formatted(normalised: str | None) -> str:
    """For the youth page: YYYYMMDD-NNNN."""
    if not normalised:
        return ""
    return f"{normalised[:8]}-{normalised[8:]}"


def birth_date(normalised: str) -> date:
    """The birth date of a normalised personnummer (samordningsnummer too)."""
    return stdnum_pnr.get_birth_date(normalised)


def for_birth_date(born: date, serial: int = 123) -> str:
    """A valid 12-digit personnummer for a birth date and a three-digit serial (the check
    digit by the Luhn rule), for demo and test data."""
    digits = f"{born:%y%m%d}{serial:03d}"
    total = 0
    for index, digit in enumerate(digits):
        product = int(digit) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"{born:%Y%m%d}{serial:03d}{(10 - total % 10) % 10}"
