"""What identifies a person when it is written into free text: a personnummer (or
samordningsnummer), a phone number, an e-mail address. Free text is stored as it is typed, so
such a thing is refused there, and the message says which it is, so that the worker knows what
to take out. A number that only looks like one (a date, a time span, a count) is not refused:
a personnummer must be valid, a phone number one that could be dialled (python-stdnum,
phonenumbers)."""

import enum
import re

import phonenumbers
from flask_babel import lazy_gettext as _l
from stdnum import exceptions as stdnum_errors
from stdnum import luhn
from stdnum.se import personnummer as stdnum_pnr

# Ten or twelve digits, with a separator of up to three dashes (any kind), plus signs, dots or
# spaces before the last four: the shapes people write (YYMMDD-NNNN, YYYYMMDDNNNN,
# YYMMDD – NNNN …); each is then checked as a personnummer.
_SEPARATOR = r"[\s\-+.\u2010-\u2015\u2212]{0,3}"
_PERSONNUMMER = re.compile(rf"(?<!\d)(?:\d{{2}})?\d{{6}}{_SEPARATOR}\d{{4}}(?!\d)")
# An address starts where a word starts: without the lookbehind the search tried again from
# every letter of a long word, 2.5 s for a text of 20,000 letters without an @ (now 1 ms).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Where phone numbers are read as dialled without a country code.
REGION = "SE"


class Identifier(enum.Enum):
    """A kind of thing in a text that identifies a person."""

    PERSONNUMMER = "personnummer"
    PHONE = "phone"
    EMAIL = "email"


def found_in(text: str | None) -> list[Identifier]:
    """The kinds found in the text, each once, in the order above."""
    if not text:
        return []
    found = []
    numbers = [m.span() for m in _PERSONNUMMER.finditer(text) if _is_personnummer(m.group())]
    if numbers:
        found.append(Identifier.PERSONNUMMER)
    leniency = phonenumbers.Leniency.VALID
    for match in phonenumbers.PhoneNumberMatcher(text, REGION, leniency=leniency):
        # a personnummer that could also be dialled (0803151232) is said to be one, once; a
        # time span (08.00-17.00, 0830-1200) dials as a Stockholm number, but is not one
        overlaps = any(start < match.end and match.start < end for start, end in numbers)
        if not overlaps and not _is_time_span(match.raw_string):
            found.append(Identifier.PHONE)
            break
    if _EMAIL.search(text):
        found.append(Identifier.EMAIL)
    return found


def _is_personnummer(written: str) -> bool:
    """A personnummer or samordningsnummer (the day plus 60): a date and the check digit."""
    digits = re.sub(r"\D", "", written)
    if stdnum_pnr.is_valid(digits):
        return True
    ten = digits[-10:]
    if len(ten) < 10 or int(ten[4:6]) <= 60 or not luhn.is_valid(ten):
        return False
    try:  # the date, with the day as it is
        stdnum_pnr.get_birth_date(f"{digits[:-6]}{int(ten[4:6]) - 60:02d}{ten[6:]}")
    except (ValueError, stdnum_errors.ValidationError):
        return False
    return True


_TIME_SPAN = re.compile(r"(\d{1,2})[.:]?(\d{2})\s*[-\u2010-\u2015\u2212]\s*(\d{1,2})[.:]?(\d{2})")


def _is_time_span(written: str) -> bool:
    """From one time of day to another (08.00-17.00, 0830-1200)."""
    span = _TIME_SPAN.fullmatch(written.strip())
    if span is None:
        return False
    hour, minute, to_hour, to_minute = (int(part) for part in span.groups())
    return hour < 24 and minute < 60 and to_hour < 24 and to_minute < 60


MESSAGES = {
    Identifier.PERSONNUMMER: _l(
        "This looks like a personal identity number. Write it only in the youth's own field "
        "for it, where it is stored encrypted."
    ),
    Identifier.PHONE: _l(
        "This looks like a phone number. Write it only in the youth's or a guardian's own field "
        "for it, not in the text."
    ),
    Identifier.EMAIL: _l("This looks like an e-mail address. Leave it out of the text."),
}


def refusal(text: str | None) -> str | None:
    """Why the text is refused (what was found in it, each kind's message), or None."""
    found = found_in(text)
    return " ".join(str(MESSAGES[kind]) for kind in found) or None
