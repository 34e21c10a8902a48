"""A team at work on the demo platform, for locust (run by ``python -m benchmarks.team``).

Advisors (most of the load), fleet managers and beneficiaries on their portal each sign in
once through the real login form (CSRF token included), then open the pages of their day
with a pause of 0.1 to 0.4 s (a busy team: the load is what a platform's peak hour asks of
the server, not one person's pace); now and then one signs out and in again (a sign-in hashes
the password with scrypt: a few, not one in ten requests). Every page must answer 200 and be
the page asked for (a redirect to the login page counts as a failure).
"""

from __future__ import annotations

import random
import re

from locust import FastHttpUser, between, task

PASSWORD = "demo-mobilite-2026"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BENEFICIARY_RE = re.compile(r'href="/people/beneficiaries/(\d+)"')
VEHICLE_RE = re.compile(r'href="/fleet/vehicles/(\d+)"')
RENTAL_RE = re.compile(r'href="/fleet/rentals/(\d+)"')


class Staff(FastHttpUser):
    """A signed-in user of the demo; subclasses say who and what they open."""

    abstract = True
    wait_time = between(0.1, 0.4)
    email = ""

    def on_start(self) -> None:
        self.sign_in()

    def sign_in(self) -> None:
        """The login form, as a browser fills it."""
        page = self.client.get("/login", name="/login")
        token = CSRF_RE.search(page.text)
        with self.client.post("/login", name="/login [POST]", allow_redirects=False,
                              data={"csrf_token": token.group(1) if token else "",
                                    "email": self.email, "password": PASSWORD},
                              catch_response=True) as resp:
            if resp.status_code != 302:
                resp.failure(f"sign-in refused ({resp.status_code})")

    def sign_out(self) -> None:
        page = self.client.get("/dashboard", name="/dashboard")
        token = CSRF_RE.search(page.text)
        self.client.post("/logout", name="/logout", data={
            "csrf_token": token.group(1) if token else ""})

    def page(self, path: str, name: str | None = None):
        """GET a page that must answer 200 without sending us to the login form."""
        with self.client.get(path, name=name or path, catch_response=True,
                             allow_redirects=False) as resp:
            if resp.status_code != 200:
                resp.failure(f"{resp.status_code}")
            return resp

    @task(1)
    def sign_in_again(self) -> None:
        """A few sign-ins during the run, not only at the start."""
        self.sign_out()
        self.sign_in()


class Advisor(Staff):
    """A mobility advisor: dashboard, people, files, referrals, availability, quotes."""

    weight = 5
    email = "conseillere@demo.mobilite.fr"
    people: list[str] = []

    @task(20)
    def dashboard(self) -> None:
        self.page("/dashboard")

    @task(20)
    def beneficiaries(self) -> None:
        resp = self.page("/people/beneficiaries")
        found = BENEFICIARY_RE.findall(resp.text or "")
        if found:
            type(self).people = sorted(set(found))

    @task(30)
    def beneficiary_file(self) -> None:
        if self.people:
            self.page(f"/people/beneficiaries/{random.choice(self.people)}",
                      "/people/beneficiaries/[id]")

    @task(10)
    def referrals(self) -> None:
        self.page("/people/referrals")

    @task(10)
    def availability(self) -> None:
        self.page("/fleet/availability")

    @task(5)
    def rentals(self) -> None:
        self.page("/fleet/rentals")


class FleetManager(Staff):
    """A fleet manager: vehicles, returns, maintenance, a vehicle, a rental."""

    weight = 3
    email = "parc@demo.mobilite.fr"
    vehicles: list[str] = []
    rentals: list[str] = []

    @task(15)
    def dashboard(self) -> None:
        self.page("/dashboard")

    @task(15)
    def vehicle_list(self) -> None:
        resp = self.page("/fleet/vehicles")
        found = VEHICLE_RE.findall(resp.text or "")
        if found:
            type(self).vehicles = sorted(set(found))

    @task(20)
    def vehicle(self) -> None:
        if self.vehicles:
            self.page(f"/fleet/vehicles/{random.choice(self.vehicles)}", "/fleet/vehicles/[id]")

    @task(15)
    def returns(self) -> None:
        resp = self.page("/fleet/returns")
        found = RENTAL_RE.findall(resp.text or "")
        if found:
            type(self).rentals = sorted(set(found))

    @task(10)
    def rental(self) -> None:
        if self.rentals:
            self.page(f"/fleet/rentals/{random.choice(self.rentals)}", "/fleet/rentals/[id]")

    @task(10)
    def maintenance(self) -> None:
        self.page("/fleet/maintenance")


class Beneficiary(Staff):
    """A beneficiary on the portal: their file and their commute."""

    weight = 2
    email = "beneficiaire@demo.mobilite.fr"

    # weighed like the staff's tasks (about 100 for one sign-in again): at 15 and 10, one
    # task in 26 signed out and in again (4 of their 29 requests)
    @task(60)
    def my_file(self) -> None:
        self.page("/people/me")

    @task(40)
    def my_commute(self) -> None:
        self.page("/portal/commute")
