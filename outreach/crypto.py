"""Sensitive fields at rest: encrypted with Fernet (AES, authenticated), found by a keyed hash.

The personnummer, the youth details that travel with a handoff or a sent report, the old and
new values in the audit trail and the users' two-factor secrets are stored encrypted, so a
database dump alone does not reveal them. An exact lookup (is this personnummer registered?)
goes through a keyed hash (HMAC-SHA256) kept beside the ciphertext.

Both keys are derived (HKDF) from OUTREACH_FIELD_KEY. Rotation: set a new OUTREACH_FIELD_KEY,
move the old one to OUTREACH_FIELD_KEYS_RETIRED and run `flask crypto rotate-key`; rows are
re-encrypted and re-hashed with the new key. The audit trail is append-only and keeps what it
was written with, so a retired key stays listed as long as audit rows need it (the command
says how many do).

Each youth also has a key of its own (SubjectKey), kept encrypted with the field key. What
the audit trail keeps of a youth's old and new values is encrypted with it, so when the youth
is deleted (gallring) deleting the key makes those append-only rows unreadable for good
(crypto-shredding) without changing a row of the chain.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Integer, Text, delete, event
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

from outreach.extensions import db

#: The shortest field key accepted (characters of a random string).
MIN_KEY_LENGTH = 32


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


class FieldKeys:
    """The current field key (encrypts, hashes) and retired ones (still decrypt, still find)."""

    def __init__(self, current: str, retired: tuple[str, ...] = ()):
        for secret in (current, *retired):
            if len(secret) < MIN_KEY_LENGTH:
                raise ValueError(
                    f"A field key must be at least {MIN_KEY_LENGTH} characters "
                    "(python -c 'import secrets; print(secrets.token_urlsafe(32))' makes one)."
                )
        secrets_in_order = (current, *retired)
        self._fernets = [
            Fernet(base64.urlsafe_b64encode(_derive(secret, b"outreach field encryption")))
            for secret in secrets_in_order
        ]
        self._all = MultiFernet(self._fernets)
        self._lookup_keys = [_derive(secret, b"outreach lookup") for secret in secrets_in_order]

    def encrypt(self, text: str) -> str:
        """A token of the text, with the current key."""
        return self._all.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        """The text of a token made with any of the keys."""
        return self._all.decrypt(token.encode()).decode()

    def rotate(self, token: str) -> str:
        """The same text encrypted with the current key."""
        return self._all.rotate(token.encode()).decode()

    def is_current(self, token: str) -> bool:
        """The token was made with the current key."""
        try:
            self._fernets[0].decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def lookup_hash(self, value: str) -> str:
        """The keyed hash of a value with the current key (stored for exact lookup)."""
        return self.lookup_hashes(value)[0]

    def lookup_hashes(self, value: str) -> list[str]:
        """The keyed hash of a value with each key, current first: a lookup finds rows hashed
        before a rotation finished too."""
        return [
            hmac.new(key, value.encode(), hashlib.sha256).hexdigest() for key in self._lookup_keys
        ]


def init_app(app) -> None:
    """Build the app's field keys from FIELD_KEY and FIELD_KEYS_RETIRED."""
    key = app.config.get("FIELD_KEY")
    if not key:
        raise RuntimeError(
            "OUTREACH_FIELD_KEY (or OUTREACH_FIELD_KEY_FILE) is not set. Set it to a long random "
            "value (python -c 'import secrets; print(secrets.token_urlsafe(32))') and keep it "
            "apart from database backups."
        )
    app.extensions["field_keys"] = FieldKeys(key, tuple(app.config.get("FIELD_KEYS_RETIRED", ())))


def keys() -> FieldKeys:
    """The field keys of the current app."""
    return current_app.extensions["field_keys"]


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token and read back as text. Not comparable in SQL: find rows
    by a lookup-hash column instead."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return keys().encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return keys().decrypt(value)


class SubjectKey(db.Model):
    """A youth's own data key (crypto-shredding): deleted with the youth, after which what
    was encrypted with it cannot be read by anyone."""

    #: The youth's id. No foreign key: the key outlives a youth merged into another, and is
    #: deleted explicitly with the youth it belongs to.
    youth_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: A Fernet key, encrypted with the field key.
    key: Mapped[str] = mapped_column(EncryptedText())


_SUBJECT_KEYS = "subject_keys"


def _subject_key(youth_id: int, create: bool) -> Fernet | None:
    cache = db.session.info.setdefault(_SUBJECT_KEYS, {})
    if youth_id not in cache:
        row = db.session.get(SubjectKey, youth_id)
        if row is None and create:
            row = SubjectKey(youth_id=youth_id, key=Fernet.generate_key().decode())
            db.session.add(row)
        cache[youth_id] = Fernet(row.key.encode()) if row else None
    return cache[youth_id]


@event.listens_for(Session, "after_soft_rollback")
def _forget_subject_keys(session: Session, _previous_transaction) -> None:
    """A key made in a rolled-back transaction was never stored: forget what was looked up."""
    session.info.pop(_SUBJECT_KEYS, None)


def make_subject_key(youth_id: int) -> None:
    """Give a newly registered youth its own key."""
    _subject_key(youth_id, create=True)


def encrypt_for_subject(youth_id: int, text: str) -> str:
    """A token of the text under the youth's own key (made on first use)."""
    return _subject_key(youth_id, create=True).encrypt(text.encode()).decode()


def decrypt_for_subject(youth_id: int, token: str) -> str | None:
    """The text of a token made with the youth's key (or, for rows written before youths had
    keys, the field key); None once the youth's key is deleted, whatever the row was written
    with: the youth is gone."""
    subject = _subject_key(youth_id, create=False)
    if subject is None:
        return None
    try:
        return MultiFernet([subject, *keys()._fernets]).decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def shred_subject_keys(youth_ids: list[int]) -> int:
    """Delete the youths' own keys; returns how many there were."""
    db.session.info.pop(_SUBJECT_KEYS, None)
    return db.session.execute(delete(SubjectKey).where(SubjectKey.youth_id.in_(youth_ids))).rowcount


def under_subject_key(youth_id: int | None, token: str) -> bool:
    """The token was made with the youth's own key (which the field key only wraps)."""
    subject = _subject_key(youth_id, create=False) if youth_id else None
    if subject is None:
        return False
    try:
        subject.decrypt(token.encode())
    except InvalidToken:
        return False
    return True
