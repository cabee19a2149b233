"""Login, lockout, logout, idle timeout and session renewal."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.auth.models import LoginSession, User
from outreach.clock import now
from outreach.extensions import db
from tests.addresses import address_for
from tests.factories import PASSWORD, login_session_of


def _user(app, username) -> User:
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        db.session.expunge(user)
        return user


def test_login_lands_on_start_page(world, client):
    response = client.post(
        address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get(address_for("home.start")).status_code == 200


def test_unknown_user_and_wrong_password_get_the_same_answer(world, client, app):
    unknown = client.post(
        address_for("auth.login"), data={"username": "nobody", "password": PASSWORD}
    )
    wrong = client.post(
        address_for("auth.login"), data={"username": "falt_a", "password": "fel-lösenord-99"}
    )
    assert unknown.status_code == wrong.status_code == 422
    assert _message(unknown) == _message(wrong)


def _message(response) -> str:
    body = response.get_data(as_text=True)
    start = body.index('class="form-errors"')
    return body[start : body.index("</div>", start)]


def test_five_failures_lock_the_account_in_the_database(world, client, app):
    for _ in range(5):
        client.post(
            address_for("auth.login"), data={"username": "falt_a", "password": "fel-lösenord-99"}
        )
    user = _user(app, "falt_a")
    assert user.locked_until is not None and user.locked_until > now() + timedelta(minutes=14)
    # Even the right password is refused while locked, from any client (another process),
    # with the same answer an unknown user gets.
    other = app.test_client()
    response = other.post(
        address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD}
    )
    assert response.status_code == 422
    unknown = other.post(
        address_for("auth.login"), data={"username": "nobody", "password": PASSWORD}
    )
    assert _message(response) == _message(unknown)
    assert other.get(address_for("home.start")).status_code == 302
    # After the lock expires the right password works again.
    with app.app_context():
        stored = db.session.get(User, user.id)
        stored.locked_until = now() - timedelta(seconds=1)
        db.session.commit()
    response = other.post(
        address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD}
    )
    assert response.status_code == 303
    assert _user(app, "falt_a").failed_logins == 0


def test_four_failures_then_success_resets_the_count(world, client, app):
    for _ in range(4):
        client.post(
            address_for("auth.login"), data={"username": "falt_a", "password": "fel-lösenord-99"}
        )
    assert _user(app, "falt_a").failed_logins == 4
    assert (
        client.post(
            address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD}
        ).status_code
        == 303
    )
    assert _user(app, "falt_a").failed_logins == 0


def test_session_is_renewed_at_login(world, client):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post(address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("sid")


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/%09/evil.example",
        "/%0A/x",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_does_not_redirect_off_site(world, client, target):
    # the address as an attacker writes it, unencoded: not built by the app
    response = client.post(
        f"/logga-in?next={target}", data={"username": "falt_a", "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_login_returns_to_the_page_asked_for(world, client):
    response = client.post(
        address_for("auth.login", next="/ungdomar/ny"),
        data={"username": "falt_a", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/ungdomar/ny"


def test_logout_leaves_nothing_behind(world, login):
    client = login("falt_a")
    page = client.get(address_for("home.start"))
    assert page.headers["Cache-Control"] == "no-store"
    assert client.post(address_for("auth.logout")).status_code == 303
    response = client.get(address_for("home.start"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in")


def _last_seen(app, client, seconds_ago: int) -> None:
    """Pretend the client's session was last used this long ago (kept on the server)."""
    with app.app_context():
        row = db.session.get(LoginSession, login_session_of(app, client).id)
        row.last_seen_at = now() - timedelta(seconds=seconds_ago)
        db.session.commit()


def test_idle_session_is_logged_out(world, login, app):
    client = login("falt_a")
    _last_seen(app, client, 601)
    response = client.get(address_for("home.start"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/logga-in"
    assert "inte har varit aktiv" in client.get(address_for("auth.login")).get_data(as_text=True)
    assert client.get(address_for("home.start")).status_code == 302


def test_idle_htmx_request_is_sent_to_login(world, login, app):
    client = login("falt_a")
    _last_seen(app, client, 3600)
    response = client.post(
        address_for("casefile.search"), data={"q": "a"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/logga-in"


def test_active_session_stays(world, login, app):
    client = login("falt_a")
    _last_seen(app, client, 500)
    assert client.get(address_for("home.start")).status_code == 200


def test_a_replayed_cookie_after_logout_is_refused(world, login):
    client = login("falt_a")
    cookie = client.get_cookie("outreach_session").value
    assert client.post(address_for("auth.logout")).status_code == 303
    client.set_cookie("outreach_session", cookie)
    assert client.get(address_for("home.start")).status_code == 302


def test_an_idle_session_cannot_be_revived_by_its_old_cookie(world, login, app):
    client = login("falt_a")
    cookie = client.get_cookie("outreach_session").value
    _last_seen(app, client, 601)
    assert client.get(address_for("home.start")).status_code == 302
    client.set_cookie("outreach_session", cookie)
    assert client.get(address_for("home.start")).status_code == 302


def test_bumping_the_session_epoch_logs_out_everywhere(world, login, app):
    client = login("falt_a")
    with app.app_context():
        user = db.session.get(User, world.worker_a)
        user.session_epoch += 1
        db.session.commit()
    assert client.get(address_for("home.start")).status_code == 302


def test_disabled_user_cannot_log_in(world, client, app):
    with app.app_context():
        db.session.get(User, world.worker_a).is_enabled = False
        db.session.commit()
    response = client.post(
        address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "falt_a"},
        {"password": PASSWORD},
        {"username": "x" * 5000, "password": PASSWORD},
        {"username": "falt_a", "password": "p" * 5000},
    ],
)
def test_bad_login_input_is_a_4xx(world, client, data):
    assert client.post(address_for("auth.login"), data=data).status_code == 422


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(address_for("casefile.search"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/logga-in?next=/ungdomar"


def test_the_polling_badge_does_not_keep_an_idle_session_alive(world, login, app):
    client = login("falt_a")
    _last_seen(app, client, 590)
    assert (
        client.get(address_for("notifications.badge"), headers={"HX-Request": "true"}).status_code
        == 200
    )
    # the poll did not count as activity: eleven more seconds and the session is idle too long
    _shift_last_seen(app, client, seconds=11)
    assert (
        client.get(address_for("notifications.badge"), headers={"HX-Request": "true"}).status_code
        == 204
    )


def _shift_last_seen(app, client, seconds: int) -> None:
    with app.app_context():
        row = db.session.get(LoginSession, login_session_of(app, client).id)
        row.last_seen_at = row.last_seen_at - timedelta(seconds=seconds)
        db.session.commit()
