"""The operator (driftansvarig): creates kommuner and their first system administrator, sees
counts, versions and health, and no record or name of any kommun's youths."""

from sqlalchemy import select

from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.org.models import Kommun
from outreach.risk.models import WarningSign
from tests.addresses import address_for
from tests.factories import make_user


def _operator(app, signed_in):
    with app.app_context():
        make_user("drift", Role.OPERATOR, [])
        db.session.commit()
    return signed_in("drift")


def test_the_operator_sees_counts_and_health_and_no_names(app, world, adult, signed_in):
    client = _operator(app, signed_in)
    assert client.get(address_for("home.start")).location.endswith("/drift")
    page = client.get(address_for("health.operations_page"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Testkommun" in html and "9999" in html and "Databasen svarar" in html
    for personal in ("Kille i keps", "Ali Östlin", "Fatima Fält"):
        assert personal not in html
    youth = address_for("casefile.youth", public_id=adult)
    assert client.get(youth).status_code == 404
    assert client.get(address_for("admin.overview")).status_code == 403


def test_the_operator_creates_a_kommun_and_its_administrator(app, world, signed_in):
    client = _operator(app, signed_in)
    refused = client.post(
        address_for("health.new_kommun"), data={"name": "Lund", "code": "12a4", "once": "k" * 24}
    )
    assert refused.status_code == 422 and "fyra siffror" in refused.get_data(as_text=True)
    made = client.post(
        address_for("health.new_kommun"), data={"name": "Lund", "code": "1281", "once": "k" * 24}
    )
    assert made.status_code == 303
    with app.app_context():
        lund = db.session.execute(select(Kommun).where(Kommun.code == "1281")).scalar_one()
        signs = db.session.execute(
            select(WarningSign.label).where(WarningSign.kommun_id == lund.id)
        ).scalars()
        assert "Bär vapen" in list(signs)
        lund_id = lund.id
    created = client.post(
        address_for("health.new_kommun_admin"),
        data={
            "kommun": str(lund_id),
            "username": "admin_lund",
            "display_name": "Lena Lund",
            "password": "tolv-tecken-ok",
            "once": "a" * 24,
        },
    )
    assert created.status_code == 303
    with app.app_context():
        admin = db.session.execute(select(User).where(User.username == "admin_lund")).scalar_one()
        assert admin.role == Role.ADMIN and [k.id for k in admin.kommuner] == [lund_id]
    overview = signed_in("admin_lund").get(address_for("admin.overview")).get_data(as_text=True)
    assert "Fatima Fält" not in overview and "Fältgruppen Söder" not in overview


def test_only_the_operator_reaches_the_page(world, signed_in):
    for role in ("admin", "falt_a", "vpc"):
        assert signed_in(role).get(address_for("health.operations_page")).status_code == 403
