"""The database going away: a request during the outage gets the friendly 503 page (whole or
as an htmx fragment), nothing it began is saved, and the app serves again by itself when the
database is back. PostgreSQL is cut off for real, through a TCP proxy the test holds; SQLite
writers wait for each other instead of failing."""

import socket
import sqlite3
import threading
import time
from contextlib import contextmanager, suppress

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from outreach import create_app
from outreach.extensions import db
from outreach.youths.models import Youth
from tests.addresses import address_for
from tests.conftest import test_config
from tests.factories import PASSWORD

NEW_YOUTH = {"alias": "Kille med blå cykel", "legal_basis": "consent"}


class Outage:
    """Makes the app's database statements fail as a lost connection does, from the moment
    it is armed (or from the first statement that starts with `at`; with `lasting`, every
    statement from that one on, as when the server goes down mid-request)."""

    def __init__(self, engine):
        self.armed = False
        self.at = ""
        self.lasting = False
        self._down = False
        event.listen(engine, "before_cursor_execute", self._statement)
        self.engine = engine

    def _statement(self, _conn, _cursor, statement, _parameters, _context, _many):
        if self.armed and statement.lstrip().upper().startswith(self.at.upper()):
            self._down = self.lasting
            raise OperationalError(statement[:40], {}, Exception("server closed the connection"))
        if self.armed and self._down:
            raise OperationalError(statement[:40], {}, Exception("the server is shutting down"))

    def remove(self):
        event.remove(self.engine, "before_cursor_execute", self._statement)


@pytest.fixture
def outage(app):
    with app.app_context():
        engine = db.engine
    fault = Outage(engine)
    yield fault
    fault.remove()


def _youths(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Youth.id)))


def test_a_page_during_an_outage_is_a_friendly_503_and_the_app_recovers(
    app, world, signed_in, outage
):
    client = signed_in("falt_a")
    outage.armed = True
    response = client.get(address_for("shifts.shift_list"))
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Tjänsten når inte sin databas just nu" in page
    assert "Inget gick förlorat" in page
    partial = client.get(address_for("shifts.shift_list"), headers={"HX-Request": "true"})
    assert partial.status_code == 503 and "<html" not in partial.get_data(as_text=True)
    outage.armed = False
    assert client.get(address_for("shifts.shift_list")).status_code == 200


def test_a_save_cut_off_halfway_saves_nothing(app, world, signed_in, outage):
    client = signed_in("falt_a")
    # the youth's row is written; the audit trail's row, in the same commit, is not
    outage.armed, outage.at = True, "INSERT INTO audit_event"
    response = client.post(address_for("youths.new_youth"), data=NEW_YOUTH)
    assert response.status_code == 503
    outage.armed = False
    assert _youths(app) == 0
    # sent again when the database is back: saved once
    assert client.post(address_for("youths.new_youth"), data=NEW_YOUTH).status_code == 303
    assert _youths(app) == 1


def test_a_request_cut_off_after_it_read_the_user_still_gets_the_503_page(
    app, world, signed_in, outage
):
    """The user (with the login session) was read at the start of the request and the
    database went away right after, at the user's teams. The 503 page is made without reading
    the user again: the rollback forgot what was read."""
    client = signed_in("falt_a")
    outage.armed, outage.at, outage.lasting = True, "SELECT team", True
    response = client.post(address_for("youths.new_youth"), data=NEW_YOUTH)
    assert response.status_code == 503
    assert "Tjänsten når inte sin databas just nu" in response.get_data(as_text=True)
    outage.armed = False
    assert _youths(app) == 0


def test_readiness_says_when_the_database_is_away(app, client, outage):
    outage.armed = True
    response = client.get(address_for("health.readyz"))
    assert response.status_code == 503
    assert response.json["checks"]["database"] is False
    assert client.get(address_for("health.healthz")).status_code == 200  # the process itself is up
    outage.armed = False
    assert client.get(address_for("health.readyz")).status_code == 200


# --- PostgreSQL, cut off for real ------------------------------------------------------------


class Proxy:
    """A TCP proxy to the database server that the test can cut and restore."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = False
        self.links: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.links += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self):
        """The database server is gone: open connections die, new ones are refused."""
        self.down = True
        with self.lock:
            for link in self.links:
                with suppress(OSError):
                    link.shutdown(socket.SHUT_RDWR)
                link.close()
            self.links = []

    def restore(self):
        self.down = False

    def close(self):
        self.cut()
        self.listener.close()


@contextmanager
def app_through(proxy: Proxy, url):
    """A second app on the same database, reaching it through the proxy."""
    proxied = url.set(host="127.0.0.1", port=proxy.port)
    other = create_app(
        test_config(
            proxied.render_as_string(hide_password=False),
            SQLALCHEMY_ENGINE_OPTIONS={
                "pool_pre_ping": True,
                "hide_parameters": True,
                "connect_args": {"connect_timeout": 3},
            },
        )
    )
    yield other
    with other.app_context():
        db.engine.dispose()


def test_postgresql_cut_off_and_back(app, world, database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("the real outage is PostgreSQL's (SQLite is a file)")
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        with app_through(proxy, url) as proxied:
            client = proxied.test_client()
            assert client.post(
                address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD}
            ).status_code in (303, 200)
            assert client.get(address_for("health.healthz")).status_code == 200
            assert client.get(address_for("health.readyz")).status_code == 200

            proxy.cut()
            assert client.get(address_for("health.readyz")).status_code == 503
            assert client.post(address_for("youths.new_youth"), data=NEW_YOUTH).status_code == 503
            assert client.get(address_for("shifts.shift_list")).status_code == 503
            assert client.get(address_for("health.healthz")).status_code == 200

            proxy.restore()
            # no restart: the pool finds its dead connections and makes new ones
            assert client.get(address_for("health.readyz")).status_code == 200
    finally:
        proxy.close()
    assert _youths(app) == 0


def test_postgresql_gone_after_the_answer_was_made_keeps_the_answer(app, world, database_url):
    """The server goes down between the page being made and the request's session being
    closed: the closing statement fails, and the user still gets the page."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("the real outage is PostgreSQL's (SQLite is a file)")
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    cut_after = threading.Event()
    try:
        with app_through(proxy, url) as proxied:

            @proxied.after_request
            def _server_goes_down(response):
                if cut_after.is_set():
                    proxy.cut()
                return response

            client = proxied.test_client()
            assert client.post(
                address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD}
            ).status_code in (303, 200)
            cut_after.set()
            page = client.get(address_for("shifts.shift_list"))
            assert page.status_code == 200
            assert "Fältpass" in page.get_data(as_text=True)
            cut_after.clear()
            proxy.restore()
            assert client.get(address_for("shifts.shift_list")).status_code == 200
    finally:
        proxy.close()


# --- SQLite: writers wait for each other -----------------------------------------------------


def test_sqlite_writers_wait_for_each_other_instead_of_failing(app, world, signed_in):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL's writers wait by themselves")
    with app.app_context():
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
    client = signed_in("falt_a")
    holding = threading.Event()

    def other_writer():
        other = sqlite3.connect(url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        holding.set()
        time.sleep(1.0)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    holding.wait()
    started = time.monotonic()
    response = client.post(address_for("youths.new_youth"), data=NEW_YOUTH)
    waited = time.monotonic() - started
    thread.join()
    assert response.status_code == 303
    assert waited >= 0.5  # it waited for the other writer
    assert _youths(app) == 1
