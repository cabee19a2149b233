"""The operator's page (/drift): the kommuner and their counts, versions and health; a new
kommun and its first system administrator. Never a name of anyone a kommun records."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import policy
from outreach.admin import services as admin_services
from outreach.auth.models import Role
from outreach.auth.services import create_user
from outreach.health import bp, operations
from outreach.health.forms import FirstAdminForm, KommunForm
from outreach.htmx import render
from outreach.views_common import form_status, submit


def _page(kommun_form=None, admin_form=None, status: int = 200):
    listed = operations.kommuner()
    admin_form = admin_form or FirstAdminForm(formdata=None)
    admin_form.kommun.choices = [(row.kommun.id, row.kommun.name) for row in listed]
    return render(
        "health/operations.html",
        status=status,
        kommuner=listed,
        health=operations.health(),
        kommun_form=kommun_form or KommunForm(formdata=None),
        admin_form=admin_form,
    )


@bp.get("/drift")
@policy.allow(policy.operator)
def operations_page():
    """The kommuner with their counts, the versions and the health of the deployment."""
    return _page()


@bp.post("/drift/kommuner")
@policy.allow(policy.operator)
def new_kommun():
    """Create a kommun, with the standard warning-sign catalogue."""
    form = KommunForm()
    outcome = submit(form, lambda: admin_services.create_kommun(form.name.data, form.code.data))
    if outcome.saved:
        created = outcome.result.name
        flash(_("%(kommun)s is created. Create its administrator next.", kommun=created), "success")
        return redirect(url_for("health.operations_page"), 303)
    return _page(kommun_form=form, status=form_status(form, outcome))


@bp.post("/drift/systemforvaltare")
@policy.allow(policy.operator)
def new_kommun_admin():
    """Create a kommun's system administrator."""
    form = FirstAdminForm()
    kommuner = {row.kommun.id: row.kommun for row in operations.kommuner()}
    form.kommun.choices = [(kommun_id, kommun.name) for kommun_id, kommun in kommuner.items()]
    outcome = submit(
        form,
        lambda: create_user(
            username=form.username.data,
            display_name=form.display_name.data,
            role=Role.ADMIN,
            password=form.password.data,
            teams=[],
            email=form.email.data or None,
            by=current_user,
            kommun=kommuner[form.kommun.data],
        ),
    )
    if outcome.saved:
        flash(_("The system administrator is created."), "success")
        return redirect(url_for("health.operations_page"), 303)
    return _page(admin_form=form, status=form_status(form, outcome))
