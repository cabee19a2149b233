"""The handoff form as the tests send it."""

from tests.addresses import address_for


def send_handoff_form(client, youth: str, token: str = "token-1", **data):
    """Post the handoff form for a youth (by public id): on consent, sharing the name, with a
    one-time token made from `token` (none if empty); `data` changes any field."""
    data = {
        "once": f"{token}-0123456789abcdef" if token else "",
        "reason": "Rekryteras av äldre.",
        "summary": "Vill ha hjälp.",
        "urgency": "normal",
        "basis": "consent",
        "shared_fields": ["name"],
        **data,
    }
    return client.post(address_for("handoffs.new_handoff", public_id=youth), data=data)
