"""How the audit trail's rows are named to people: the actions, where an access happened and
the kinds of record (the loggkontroll, the youth's latest accesses, the register extract)."""

from flask_babel import lazy_gettext as _l

#: The audit trail's actions as the access log and the register extract name them.
AUDIT_ACTION_LABELS = {
    "read": _l("Read"),
    "list": _l("Shown in a list"),
    "export": _l("Exported"),
    "print": _l("Printed"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "correct": _l("Corrected"),
    "grant": _l("Access granted"),
    "revoke": _l("Access revoked"),
}

#: Where an access happened (the audit row's detail, up to a colon), as the UI names it.
ACCESS_DETAIL_LABELS = {
    "page": _l("the record's page"),
    "edit form": _l("the edit form"),
    "correction form": _l("a correction"),
    "search": _l("search"),
    "shift": _l("a shift's contacts"),
    "review list": _l("the review list"),
    "review list csv": _l("the review list, CSV"),
    "review list xlsx": _l("the review list, Excel"),
    "print": _l("printout"),
    "access log": _l("the access log"),
    "gallring": _l("gallring"),
    "register extracts": _l("register extracts"),
    "register extract request": _l("a register extract request"),
    "registerutdrag": _l("register extract"),
    "merge": _l("merging records"),
    "merge comparison": _l("merging records"),
    "possible duplicates": _l("possible duplicates"),
}

#: The kinds of record in the audit trail, as the register extract names them.
AUDIT_ENTITY_LABELS = {
    "youth": _l("The record"),
    "identified_contact": _l("Contact"),
    "risk_marking": _l("Risk marking"),
    "consent": _l("Consent"),
    "report_of_concern": _l("Report of concern"),
    "handoff": _l("Handoff"),
    "protected_access": _l("Access to the protected identity"),
    "legal_hold": _l("Legal hold"),
    "access_request": _l("Register extract"),
}
