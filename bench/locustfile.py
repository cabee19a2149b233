"""The load test's staff (locust): field workers logging contacts in their open shift, VPC
caseworkers polling their badge and reading the inbox, team leads reviewing. Each simulated
person logs in once as a generated account of their role (bench/seed.py), in order, so a
thousand people are a thousand different accounts where the data has them.

Run through `python -m bench.load` (`make load`), which starts the server and reads the
figures; the pauses are those of people at work, shortened so a few minutes show a busy
evening: a field worker logs a contact every minute or so (in the street, one in ten
minutes), a caseworker's badge asks every 20 seconds, as the app's own does.
"""

import itertools
import json
import os
import re
import uuid
from pathlib import Path

import gevent
from locust import HttpUser, between, constant, events, task

from bench.seed import PASSWORD

#: The generated accounts by role, written by bench/load.py: [username, team, area, place]
#: for field workers, [username] for the others.
ACCOUNTS = json.loads(Path(os.environ["OUTREACH_LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
NEXT = {role: itertools.count() for role in ACCOUNTS}
SHIFT = re.compile(r'href="(/faltpass/[^"/]+)/anonym-kontakt"')
PARTIAL = {"HX-Request": "true", "HX-Request-Type": "partial"}
#: Seconds after the last person has started (logged in, started a shift) before counting:
#: the evening's logins are not its steady load.
SETTLE = int(os.environ.get("OUTREACH_LOAD_SETTLE", "30"))


_ENVIRONMENT = {}


@events.init.add_listener
def _remember(environment, **_kwargs) -> None:
    _ENVIRONMENT["run"] = environment


@events.spawning_complete.add_listener
def _count_from_here(**_kwargs) -> None:
    """Start the figures afresh once everyone is at work."""
    gevent.spawn_later(SETTLE, _ENVIRONMENT["run"].stats.reset_all)


class Staff(HttpUser):
    abstract = True
    role = ""

    def on_start(self) -> None:
        accounts = ACCOUNTS[self.role]
        self.account = accounts[next(NEXT[self.role]) % len(accounts)]
        answer = self.client.post(
            "/logga-in",
            {"username": self.account[0], "password": PASSWORD},
            name="log in",
            allow_redirects=False,
        )
        if answer.status_code != 303:
            raise RuntimeError(f"{self.account[0]} could not log in: {answer.status_code}")


class FieldWorker(Staff):
    weight = 76
    role = "field_worker"
    wait_time = between(30, 90)

    def on_start(self) -> None:
        super().on_start()
        _username, team, area, self.place = self.account
        found = SHIFT.search(self.client.get("/", name="start page").text)
        if found is None:  # not out yet: start a shift in the team's area
            self.client.post("/faltpass/nytt", {"team": team, "area": area}, name="start shift")
            found = SHIFT.search(self.client.get("/", name="start page").text)
        self.form = f"{found.group(1)}/anonym-kontakt" if found else None

    @task(6)
    def log_a_contact(self) -> None:
        if self.form is None:
            return
        self.client.get(self.form, name="contact form")
        self.client.post(
            self.form,
            {"place": self.place, "youth_count": 2, "token": uuid.uuid4().hex},
            headers=PARTIAL,
            name="contact submit",
        )

    @task(2)
    def start_page(self) -> None:
        self.client.get("/", name="start page")

    @task(2)
    def search(self) -> None:
        self.client.post(
            "/ungdomar",
            {"q": "ali"},
            headers=PARTIAL,
            name="youth search",
        )

    @task(1)
    def badge(self) -> None:
        self.client.get("/notiser/badge", name="notification badge")


class Caseworker(Staff):
    weight = 10
    role = "caseworker"
    wait_time = constant(20)

    @task(8)
    def badge(self) -> None:
        self.client.get("/notiser/badge", name="notification badge")

    @task(1)
    def inbox(self) -> None:
        self.client.get("/vpc", name="VPC inbox")


class TeamLead(Staff):
    weight = 14
    role = "lead"
    wait_time = between(20, 60)

    @task(4)
    def review(self) -> None:
        self.client.get("/granskning", name="review list")

    @task(1)
    def statistics(self) -> None:
        self.client.get("/statistik?period=month", name="statistics, a month")

    @task(2)
    def badge(self) -> None:
        self.client.get("/notiser/badge", name="notification badge")
