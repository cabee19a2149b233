"""Two-factor login: enrolment with a QR code, codes from the app, recovery codes, lockout."""

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import LoginSession, RecoveryCode, User
from outreach.extensions import db
from tests.addresses import address_for
from tests.factories import PASSWORD


@pytest.fixture
def required(app):
    """OUTREACH_REQUIRE_2FA on, as outside demo mode."""
    app.config["REQUIRE_2FA"] = True
    yield
    app.config["REQUIRE_2FA"] = False


def _password(client, username="falt_a"):
    return client.post(
        address_for("auth.login", next="/ungdomar"),
        data={"username": username, "password": PASSWORD},
    )


def _secret(app, username="falt_a") -> str:
    with app.app_context():
        return db.session.execute(
            select(User.totp_secret).where(User.username == username)
        ).scalar_one()


def _shown_secret(page: str) -> str:
    """The key the enrolment page shows (for typing instead of scanning)."""
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)


def _code(secret: str, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + steps_ahead * totp.interval)


def _enrol(app, client, username="falt_a") -> list[str]:
    """Password, then enrolment; returns the recovery codes shown."""
    assert _password(client, username).headers["Location"] == "/logga-in/tvafaktor"
    page = client.get(address_for("auth.enrol")).get_data(as_text=True)
    secret = _shown_secret(page)
    assert 'src="data:image/svg+xml' in page
    response = client.post(address_for("auth.enrol"), data={"code": _code(secret)})
    assert response.status_code == 200
    return re.findall(
        r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>", response.get_data(as_text=True)
    )


def test_a_required_second_factor_is_enrolled_before_the_login_completes(
    app, world, client, required
):
    response = _password(client)
    assert response.status_code == 303
    # the password alone opens nothing
    assert client.get(address_for("casefile.search")).status_code == 302
    codes = _enrol(app, client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(address_for("casefile.search")).status_code == 200  # logged in now
    with app.app_context():
        user = db.session.get(User, world.worker_a)
        assert user.has_two_factor
        stored = db.session.execute(select(RecoveryCode.code_hash)).scalars().all()
        assert len(stored) == 10 and all(h.startswith("$argon2") for h in stored)
        assert not any(code.replace("-", "") in h for code in codes for h in stored)


def test_the_next_login_takes_password_and_a_code(app, world, client, login, required):
    _enrol(app, client)
    client.post(address_for("auth.logout"))
    response = _password(client)
    assert response.headers["Location"] == "/logga-in/kod"
    assert client.get(address_for("casefile.search")).status_code == 302
    response = client.post(
        address_for("auth.second_factor"), data={"code": _code(_secret(app), steps_ahead=1)}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/ungdomar"
    assert client.get(address_for("casefile.search")).status_code == 200
    with app.app_context():
        details = (
            db.session.execute(
                select(AuditEvent.detail).where(AuditEvent.action == AuditAction.LOGIN)
            )
            .scalars()
            .all()
        )
        assert details[-1] == "password and app"


def test_a_code_is_accepted_once(app, world, client, required):
    _enrol(app, client)
    with app.app_context():  # the code that finished the enrolment, whatever the time now
        step = db.session.get(User, world.worker_a).totp_last_step
    used = pyotp.TOTP(_secret(app)).at(step * 30)
    client.post(address_for("auth.logout"))
    _password(client)
    again = client.post(address_for("auth.second_factor"), data={"code": used})
    assert again.status_code == 422
    assert "har redan använts" in again.get_data(as_text=True)


def test_a_recovery_code_works_once_instead_of_the_app(app, world, client, required):
    codes = _enrol(app, client)
    client.post(address_for("auth.logout"))
    _password(client)
    response = client.post(
        address_for("auth.second_factor"), data={"code": codes[3].lower().replace("-", " ")}
    )
    assert response.status_code == 303
    assert "9 är kvar" in client.get(address_for("casefile.search")).get_data(as_text=True)
    client.post(address_for("auth.logout"))
    _password(client)
    assert (
        client.post(address_for("auth.second_factor"), data={"code": codes[3]}).status_code == 422
    )


def test_wrong_codes_count_toward_the_lockout(app, world, client, required):
    _enrol(app, client)
    client.post(address_for("auth.logout"))
    _password(client)
    for _ in range(4):
        assert (
            client.post(address_for("auth.second_factor"), data={"code": "000000"}).status_code
            == 422
        )
    locked = client.post(address_for("auth.second_factor"), data={"code": "000000"})
    assert locked.status_code == 303 and locked.headers["Location"] == "/logga-in"
    # locked: the right password and the right code are both refused now
    assert _password(client).status_code == 422
    with app.app_context():
        user = db.session.get(User, world.worker_a)
        assert user.locked_until is not None
        failures = db.session.execute(
            select(func.count()).where(
                AuditEvent.action == AuditAction.LOGIN_FAILED,
                AuditEvent.detail == "second factor",
            )
        ).scalar_one()
        assert failures == 5


def test_the_second_step_expires_and_needs_the_first(app, world, client, required):
    assert client.get(address_for("auth.second_factor")).headers["Location"] == "/logga-in"
    _enrol(app, client)
    client.post(address_for("auth.logout"))
    _password(client)
    with client.session_transaction() as session:
        pending = session["pending_login"]
        session["pending_login"] = {**pending, "since": pending["since"] - 301}
    response = client.post(address_for("auth.second_factor"), data={"code": _code(_secret(app), 1)})
    assert response.headers["Location"] == "/logga-in"


def test_no_server_session_exists_before_the_second_factor(app, world, client, required):
    _password(client)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(LoginSession)).scalar_one() == 0


def test_not_required_in_demo_mode_but_can_be_turned_on(app, world, login):
    client = login("falt_a")  # REQUIRE_2FA is off: the password is enough
    page = client.get(address_for("auth.settings")).get_data(as_text=True)
    assert "Aktivera tvåfaktorinloggning" in page
    secret = _shown_secret(client.get(address_for("auth.enrol")).get_data(as_text=True))
    response = client.post(address_for("auth.enrol"), data={"code": _code(secret)})
    assert response.status_code == 200 and "reservkoder" in response.get_data(as_text=True)
    client.post(address_for("auth.logout"))
    assert _password(client).headers["Location"] == "/logga-in/kod"  # on: always asked


def test_new_recovery_codes_need_a_code_and_retire_the_old(app, world, client, required):
    old = _enrol(app, client)
    assert (
        client.post(address_for("auth.new_recovery_codes"), data={"code": "123456"}).status_code
        == 422
    )
    response = client.post(
        address_for("auth.new_recovery_codes"), data={"code": _code(_secret(app), steps_ahead=1)}
    )
    new = re.findall(r"<code>([A-Z0-9-]{14})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    client.post(address_for("auth.logout"))
    _password(client)
    assert client.post(address_for("auth.second_factor"), data={"code": old[0]}).status_code == 422
    assert client.post(address_for("auth.second_factor"), data={"code": new[0]}).status_code == 303


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1" * 30, "<script>"])
def test_bad_codes_are_a_4xx(app, world, client, required, code):
    _password(client)
    client.get(address_for("auth.enrol"))
    assert client.post(address_for("auth.enrol"), data={"code": code}).status_code == 422


def test_the_secret_being_enrolled_belongs_to_the_browser_enrolling(app, world, required):
    """Someone else with the password cannot take the victim's secret: each browser enrols its
    own, the first confirmed wins, and the other is told."""
    victim, intruder = app.test_client(), app.test_client()
    _password(victim), _password(intruder)
    victims = _shown_secret(victim.get(address_for("auth.enrol")).get_data(as_text=True))
    intruders = _shown_secret(intruder.get(address_for("auth.enrol")).get_data(as_text=True))
    assert victims != intruders
    with app.app_context():
        assert db.session.get(User, world.worker_a).totp_secret is None  # nothing stored yet
    assert victim.post(address_for("auth.enrol"), data={"code": _code(victims)}).status_code == 200
    late = intruder.post(address_for("auth.enrol"), data={"code": _code(intruders)})
    assert late.status_code == 303 and late.headers["Location"] == "/logga-in/kod"
    assert "någon annanstans" in intruder.get(address_for("auth.second_factor")).get_data(
        as_text=True
    )
    assert _secret(app) == victims


@pytest.mark.parametrize(
    "code", ["１２３４５６", "١٢٣٤٥٦", "12345６", "ＡＢＣＤ-ＥＦＧＨ-ＪＫＬＭ"]
)
def test_codes_in_other_scripts_are_refused_not_a_500(app, world, client, required, code):
    _enrol(app, client)
    assert (
        client.post(address_for("auth.new_recovery_codes"), data={"code": code}).status_code == 422
    )
    client.post(address_for("auth.logout"))
    _password(client)
    assert client.post(address_for("auth.second_factor"), data={"code": code}).status_code == 422


def test_wrong_codes_for_new_recovery_codes_count_toward_the_lockout(app, world, client, required):
    _enrol(app, client)
    for _ in range(5):
        assert (
            client.post(address_for("auth.new_recovery_codes"), data={"code": "000000"}).status_code
            == 422
        )
    with app.app_context():
        assert db.session.get(User, world.worker_a).locked_until is not None
