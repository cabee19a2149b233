"""Edits that cross: optimistic locking for the records people edit through forms.

An editable record carries a version (Versioned). The ORM raises it by one with every UPDATE of
the row and puts the version it read into the UPDATE's WHERE clause: two saves of one row at the
same moment cannot both land, the second fails (StaleDataError) and changes nothing. A save
also locks the row while it checks and writes (hold).

The edit form carries the version it was shown with and what each of its fields showed (Edits).
A save from a form shown before someone else changed the record meets the saved record field by
field (cross): a field only someone else changed takes their value, so saving does not undo
it; a field only this user changed keeps theirs; a field both changed, differently, is a
conflict. With conflicts nothing is saved, and the page shows those fields both ways, what is
saved now beside what this user wrote, with the merged form kept to save again knowingly. A
change elsewhere in the row (the shift ended while its note was being written) raises the
version without touching the form's values, and the save goes on.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import Integer, inspect, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField
from wtforms.validators import Optional, Regexp

from outreach.errors import Conflict
from outreach.extensions import db
from outreach.fields import as_sent
from outreach.submissions import EXPIRED

STALE = _l(
    "Someone else saved changes while you were writing, some in fields you changed too. Their "
    "other changes are already in the form. Nothing is lost or overwritten: compare the two "
    "versions below, choose, then save again."
)


class Stale(Conflict):
    """A save based on a version of the record that is no longer the saved one."""


class Versioned:
    """Mixed into a model whose rows people edit: the row's version, checked on every UPDATE."""

    #: Raised by one with every UPDATE of the row (optimistic locking).
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class Edits:
    """Mixed into a form that changes a record: the version it was shown with and what each
    of its fields showed."""

    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}\Z", message=EXPIRED)])
    shown = HiddenField(
        validators=[Optional(), Regexp(r"^[0-9a-f]{16}(?:\.[0-9a-f]{16}){0,99}\Z", message=EXPIRED)]
    )


@dataclass
class Difference:
    """One field that differs: its label, the saved value and this user's, as shown."""

    label: str
    saved: str
    mine: str


def edit_form(form_class: type[FlaskForm], record, saved: bool = False) -> FlaskForm:
    """A form that edits `record`: as submitted (the request's values over the record's), or,
    `saved`, filled from the record as it is saved, whatever was submitted."""
    return form_class(formdata=None, obj=record) if saved else form_class(obj=record)


def seal(form: Edits, record, shows: FlaskForm | None = None):
    """Stamp a form about to be shown with the record's version (after a save, the one just
    written) and what each of its fields shows (`shows`: the saved values it builds on, when
    they are not the form's own)."""
    version = getattr(record, "version", None)
    form.version.data = "" if version is None else str(version)
    form.shown.data = fingerprint(shows or form)


def hold(record) -> None:
    """Lock the record's row until the commit and read it as it is now: two saves of one
    record take turns, the second seeing the first's values (PostgreSQL; SQLite's writers
    take turns anyway, and the version check stands in for the rest)."""
    state = inspect(record)
    (key,) = state.mapper.primary_key
    (identity,) = state.identity
    db.session.execute(select(key).where(key == identity).with_for_update())
    db.session.refresh(record)


def cross(form: Edits, record, saved: FlaskForm) -> list[Difference]:
    """Meet an edit with the record as saved now (`saved`: the same form filled from it).

    A form shown with the record's current version is saved as it is. Otherwise each field
    is one of: changed by nobody since it was shown; changed by this user only (theirs is
    kept); changed by someone else only (the saved value is taken into the form, so saving
    it does not undo that change); or changed by both, differently: a conflict. Returns the
    conflicts; none means the form, as merged, can be saved.

    A record without a version (a staff account, which logins update) is always met field by
    field. A form without what it showed (not sent from the app's page) is saved as sent."""
    version = getattr(record, "version", None)
    version_shown = _sent(form.version)
    if version is not None and version_shown and int(version_shown) == version:
        return []
    fields, shown = _edited(form), _sent(form.shown)
    was = shown.split(".") if shown else []
    if len(was) != len(fields):  # not sent from the app's page: nothing to meet it with
        return []
    conflicts = []
    for field, before in zip(fields, was, strict=True):
        now_saved = saved[field.name]
        mine, theirs = _digest(field.data), _digest(now_saved.data)
        if mine == theirs or theirs == before:
            continue
        if mine == before:
            field.data = now_saved.data
        else:
            conflicts.append(Difference(str(field.label.text), _shown(now_saved), _shown(field)))
    return conflicts


def _sent(field) -> str:
    """What the request sent for a hidden field: never the record's own value, which a form
    filled from the record holds when the field was left out."""
    return field.raw_data[0].strip() if field.raw_data else ""


def fingerprint(form: FlaskForm) -> str:
    """What each field of the form shows, one short keyed digest a field in form order (keyed,
    so the page does not give away a digest of personal data that could confirm a guess)."""
    return ".".join(_digest(field.data) for field in _edited(form))


def _digest(value) -> str:
    plain = json.dumps(_plain(value), sort_keys=True, default=str).encode()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, plain, hashlib.sha256).hexdigest()[:16]


def _edited(form: FlaskForm):
    return [f for f in form if f.type not in ("HiddenField", "CSRFTokenField", "SubmitField")]


def _plain(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list | tuple):
        return sorted(str(item) for item in value)
    return "" if value is None else value


def _shown(field) -> str:
    """A field's value as a person reads it: choices by their label."""
    if isinstance(field, BooleanField):
        return str(_l("Yes") if field.data else _l("No"))
    if isinstance(field, SelectMultipleField):
        labels = _labels(field)
        return ", ".join(str(labels.get(as_sent(v), v)) for v in field.data or []) or "–"
    if isinstance(field, SelectField | RadioField):
        return str(_labels(field).get(as_sent(field.data), field.data or "–")) or "–"
    text = "" if field.data is None else str(field.data).strip()
    return text or "–"


def _labels(field) -> dict[str, object]:
    return {as_sent(value): label for value, label, *_rest in field.iter_choices()}
