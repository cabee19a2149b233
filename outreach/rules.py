"""The shapes authorization is written in (policy.py writes the rules themselves).

A Rule is a named predicate, on the user alone (who may use an endpoint) or on the user and a
record (who may do what with it), carrying the reason a refusal gives. Rules compose in the
spirit of FlaskBB's And/Or requirements: `a & b`, `a | b`, `~a`; a composed rule that refuses
gives the reason of the part that refused. A Scope says where a kind of record is looked up
for a user; @loads(scope, may=rule) is the load → authorize step of every object view. Every
endpoint declares its rule (@allow, @public), and a request to one that declares none, or
that names a record without loading it, is refused.
"""

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select

from outreach import refusals
from outreach.errors import Refused, RuleViolation
from outreach.extensions import db


class Rule:
    """A predicate with a name and the reason it refuses. Called as rule(user) or
    rule(user, record)."""

    def __init__(self, test: Callable, name: str, refusal=None, doc: str | None = None):
        self._test = test
        self._takes_record = len(inspect.signature(test).parameters) > 1
        self.__name__ = name
        self.__doc__ = doc if doc is not None else test.__doc__
        self.refusal = refusal

    def __call__(self, user, record=None) -> bool:
        return bool(self._test(user, record) if self._takes_record else self._test(user))

    def __repr__(self) -> str:
        return f"<Rule {self.__name__}>"

    def reason(self, user, record=None):
        """Why the rule refuses the user (and record): its own reason."""
        return self.refusal

    def named(self, name: str, refusal=None) -> "Rule":
        """The same rule under a name of its own (and a reason of its own, if given)."""
        return _Renamed(self, name, refusal if refusal is not None else self.refusal)

    def refusing(self, refusal) -> "Rule":
        """The same rule giving another reason (one question, asked for several actions)."""
        return _Renamed(self, self.__name__, refusal)

    def require(self, user, record=None) -> None:
        """Raise RuleViolation with the reason unless the rule admits the user (and record)."""
        if not self(user, record):
            raise RuleViolation(self.reason(user, record))

    def __and__(self, other: "Rule") -> "Rule":
        return _AllOf(self, other)

    def __or__(self, other: "Rule") -> "Rule":
        return _AnyOf(self, other)

    def __invert__(self) -> "Rule":
        return _Not(self)


class _Renamed(Rule):
    def __init__(self, inner: Rule, name: str, refusal):
        super().__init__(inner.__call__, name, refusal, inner.__doc__)
        self._inner = inner

    def reason(self, user, record=None):
        return self.refusal if self.refusal is not None else self._inner.reason(user, record)


class _AllOf(Rule):
    def __init__(self, *parts: Rule):
        names = " & ".join(part.__name__ for part in parts)
        super().__init__(lambda user, record: all(p(user, record) for p in parts), f"({names})")
        self.parts = parts

    def reason(self, user, record=None):
        refusing = next((part for part in self.parts if not part(user, record)), self.parts[-1])
        return refusing.reason(user, record)


class _AnyOf(Rule):
    def __init__(self, *parts: Rule):
        names = " | ".join(part.__name__ for part in parts)
        super().__init__(lambda user, record: any(p(user, record) for p in parts), f"({names})")
        self.parts = parts

    def reason(self, user, record=None):
        return self.parts[-1].reason(user, record)


class _Not(Rule):
    def __init__(self, part: Rule):
        super().__init__(lambda user, record: not part(user, record), f"~{part.__name__}")


def rule(refusal=None) -> Callable[[Callable], Rule]:
    """Make a Rule of a predicate function (its name and docstring are the rule's)."""

    def make(test: Callable) -> Rule:
        return Rule(test, test.__name__, refusal)

    return make


# --- the endpoint registry -----------------------------------------------------------------

PUBLIC = "public"


def allow(predicate: Rule):
    """Declare that the view may be called by logged-in users the rule admits."""

    def decorate(view):
        view.access_policy = predicate
        return view

    return decorate


def public(view):
    """Declare that the view may be called without logging in."""
    view.access_policy = PUBLIC
    return view


def endpoint_policy(endpoint: str | None):
    """The declared policy of an endpoint, or None when it declares none."""
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)


def enforce_endpoint_policy():
    """Before each request: login redirect, 403, or let the view run. A view whose address
    names a record and that does not load it through @loads is refused too."""
    if request.endpoint is None:
        return None  # 404/405 from routing
    policy = endpoint_policy(request.endpoint)
    names_record = "public_id" in (request.view_args or {})
    view = current_app.view_functions[request.endpoint]
    if policy is None or (names_record and getattr(view, "scope", None) is None):
        current_app.logger.error("endpoint %s declares no access policy", request.endpoint)
        abort(403)
    if policy == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    if not policy(current_user):
        # An address naming a record answers as if it did not exist; other actions say 403.
        if names_record:
            refused(view.scope.kind)
        abort(403)
    return None


def refused(kind: str) -> None:
    """The logged-in user asked for a record of `kind` out of their scope: noted (who, when,
    the kind and the route), then answered as if there were none."""
    if current_user.is_authenticated and request.url_rule is not None:
        refusals.record(current_user, kind, f"{request.method} {request.url_rule.rule}")
    abort(404)


# --- records in scope ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """One kind of record as an address names it, and where a user may find one."""

    #: The kind, as the address's converter names it (`<youth:public_id>`).
    kind: str
    #: The records of the kind the user may see.
    visible: Callable[[Any], Select]
    #: The column the address part gives (a public id, or an id for the admin's records).
    key: Any
    #: The name of the address part.
    address: str = "public_id"
    #: The name the view is given the record under (the kind, unless said).
    argument: str = ""

    def find(self, user, value):
        """The record the address names, if the user may see it; 404 otherwise."""
        query = self.visible(user).where(self.key == value)
        found = db.session.execute(query).unique().scalar_one_or_none()
        if found is None:
            refused(self.kind)
        return found


def loads(scope: Scope, may: Rule | None = None):
    """Declare what an object view works on: the record its address names is loaded among
    those the user may see (404 if it is not there for them), `may` is asked about it (403
    with the rule's reason), and the view is called with the record in place of its id."""

    def decorate(view):
        name = scope.argument or scope.kind

        @functools.wraps(view)
        def load_then_authorize(**arguments):
            record = scope.find(current_user, arguments.pop(scope.address))
            if may is not None and not may(current_user, record):
                raise Refused(may.reason(current_user, record))
            return view(**{name: record}, **arguments)

        load_then_authorize.scope = scope
        return load_then_authorize

    return decorate
