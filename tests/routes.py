"""The app's routes and forms for tests that walk all of them: every endpoint with its rule and
methods, its address filled in with given records, and every form class."""

import inspect
import re
from dataclasses import dataclass
from importlib import import_module

from flask_wtf import FlaskForm

from outreach import AREAS, create_app, ids
from tests.conftest import test_config

#: Values for address parts that do not name a team's record or a number.
SAMPLE_VALUES = {
    "step": "acknowledge",
    "code": "9999",
    # the SCIM endpoints' resources and documents
    "resource_id": "1",
    "name": "User",
    "urn": "urn:ietf:params:scim:schemas:core:2.0:User",
    "rest": "Unknown",
}


def _endpoints() -> list[tuple[str, str, tuple[str, ...]]]:
    """(endpoint, rule, methods) of every route but static files, from a throwaway app."""
    app = create_app(test_config("sqlite://"))
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = tuple(sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}))
        found.append((rule.endpoint, rule.rule, methods))
    return sorted(found)


ENDPOINTS = _endpoints()
_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-z_]+)(?:\((?P<options>[^)]*)\))?:)?(?P<name>\w+)>")


@dataclass
class Address:
    """An endpoint's address filled in with records."""

    url: str
    #: The kinds of record the address names (empty for an address without one).
    kinds: list[str]
    #: The address names an administered record by its number (a user, a sign, a mail).
    numbered: bool = False


def address_of(rule: str, records: dict[str, str], numbers: dict[str, int]) -> Address:
    """The rule with each record kind replaced by the public id in `records`, each number by
    `numbers` (by argument name), and a choice of `any(...)` by its first option."""
    kinds, numbered = [], []

    def fill(match: re.Match) -> str:
        converter, options, name = match.group("converter", "options", "name")
        if converter in ids.RECORD_KINDS:
            kinds.append(converter)
            return records[converter]
        if converter == "any":
            return options.split(",")[0].strip().strip("'\"")
        if converter == "int":
            numbered.append(name)
            return str(numbers[name])
        return SAMPLE_VALUES[name]

    url = _ARGUMENT.sub(fill, rule)
    return Address(url, kinds, bool(numbered))


def form_classes() -> list[type[FlaskForm]]:
    """Every form class the app defines, area by area (in `outreach.<area>.forms`)."""
    found = []
    for area in AREAS:
        try:
            module = import_module(f"outreach.{area}.forms")
        except ModuleNotFoundError:
            continue
        found += [
            form
            for _name, form in inspect.getmembers(module, inspect.isclass)
            if issubclass(form, FlaskForm) and form.__module__ == module.__name__
        ]
    return found
