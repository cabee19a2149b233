"""How authorization is written (outreach/rules.py): rules compose like a truth table and say
why they refuse, and every endpoint that names a record loads it through its scope."""

from types import SimpleNamespace

import pytest

from outreach import create_app, ids, policy
from outreach.errors import RuleViolation
from outreach.rules import Rule, rule
from tests.conftest import test_config


@rule("not a lead")
def is_lead(user) -> bool:
    """The user leads."""
    return user.lead


@rule("not the author")
def wrote(user, record) -> bool:
    """The user wrote the record."""
    return record.author == user.name


USERS = [SimpleNamespace(name=name, lead=lead) for name in ("ada", "bo") for lead in (True, False)]
RECORD = SimpleNamespace(author="ada")


@pytest.mark.parametrize(("user", "record"), [(user, RECORD) for user in USERS])
def test_composed_rules_follow_the_truth_table(user, record):
    lead, author = user.lead, record.author == user.name
    assert (is_lead & wrote)(user, record) == (lead and author)
    assert (is_lead | wrote)(user, record) == (lead or author)
    assert (~is_lead)(user, record) == (not lead)
    assert (~is_lead & wrote | is_lead & ~wrote)(user, record) == (lead != author)
    # a rule on the user alone is asked with or without a record
    assert is_lead(user) == is_lead(user, record) == lead


def test_a_refusal_gives_the_reason_of_the_part_that_refused():
    bo = SimpleNamespace(name="bo", lead=True)
    ada = SimpleNamespace(name="ada", lead=False)
    assert (is_lead & wrote).reason(bo, RECORD) == "not the author"
    assert (is_lead & wrote).reason(ada, RECORD) == "not a lead"
    assert (is_lead | wrote).named("either", "neither").reason(ada, RECORD) == "neither"
    assert wrote.refusing("only the author").reason(bo, RECORD) == "only the author"
    with pytest.raises(RuleViolation, match="not the author"):
        wrote.require(bo, RECORD)
    wrote.require(ada, RECORD)  # admitted: nothing raised


def test_a_renamed_rule_keeps_its_name_for_the_endpoint_registry():
    assert policy.field_or_unit_staff.__name__ == "field_or_unit_staff"
    assert policy.can_mark_risk.__name__ == "can_edit_youth"
    assert isinstance(policy.can_edit_situation_note, Rule)


def test_every_address_naming_a_record_loads_it_in_its_scope(app):
    """A view cannot forget the check: the record its address names reaches it only through
    @policy.loads, with the scope of that kind of record."""
    unloaded = []
    for url_rule in app.url_map.iter_rules():
        kinds = [kind for kind in ids.RECORD_KINDS if f"<{kind}:" in url_rule.rule]
        if not kinds:
            continue
        scope = getattr(app.view_functions[url_rule.endpoint], "scope", None)
        if scope is None or scope.kind != kinds[0]:
            unloaded.append(url_rule.endpoint)
    assert unloaded == []


def test_a_view_naming_a_record_without_loading_it_is_refused(database_url, world, signed_in):
    fresh = create_app(test_config(database_url))

    @policy.allow(policy.field_staff)
    def unchecked(public_id):
        return "a record nobody checked"

    fresh.add_url_rule("/okollad/<youth:public_id>", "unchecked", unchecked)
    client = fresh.test_client()
    with client.session_transaction() as session:
        session.update(_session_of(signed_in("falt_a")))
    response = client.get("/okollad/" + "A" * ids.PUBLIC_ID_LENGTH)
    assert response.status_code == 403


def _session_of(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)
