"""Each job is a catch-up query: it finds what is due (or overdue), writes one outbox row per
recipient with a unique key, and a second run adds nothing. Time is frozen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from mobility.core.db import db
from mobility.notifications.models import OutboxMessage
from mobility.scheduling.models import JobRun
from mobility.scheduling.runner import due_jobs, run_due_jobs, run_job
from tests.factories import (
    create_amie_rental,
    create_beneficiary,
    create_maintenance_job,
    create_platform,
    create_rental,
    create_staff,
    create_user,
    create_vehicle,
    create_workshop_session,
)
from tests.notifications.servers import notify_config

# Monday 2 March 2026, 07:00 UTC (08:00 in Paris)
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def _keys(kind: str | None = None) -> list[str]:
    db.session.expire_all()
    query = select(OutboxMessage.key).order_by(OutboxMessage.key)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def _run_twice(job_id: str) -> None:
    with time_machine.travel(NOW, tick=False):
        first = run_job(job_id)
        second = run_job(job_id)
    assert first.status == "ok", first.error
    assert second.summary == "0 nouvelle notification"


def test_returns_due_tomorrow_go_to_the_beneficiary_and_the_advisor(app):
    platform = create_platform()
    staff = create_staff(platform)
    person = create_beneficiary(platform, phone="06 11 22 33 44")
    due = create_rental(platform=platform, status="in_progress",
                        end_date=TODAY + timedelta(days=1), beneficiary=person,
                        advisor=staff["advisor"])
    create_rental(platform=platform, status="in_progress",
                  end_date=TODAY + timedelta(days=5))  # not yet
    create_rental(platform=platform, end_date=TODAY + timedelta(days=1), status="returned")

    _run_twice("rental_return_due")

    prefix = f"rental:{due.id}:return_due:2026-03-03"
    assert _keys() == [f"{prefix}:beneficiary:{person.id}", f"{prefix}:user:{staff['advisor'].id}"]
    channels = dict(db.session.execute(select(OutboxMessage.recipient_type,
                                              OutboxMessage.channel)).all())
    assert channels == {"beneficiary": "sms", "user": "email"}


def test_overdue_returns_go_to_the_advisor_and_every_fleet_manager(app):
    platform = create_platform()
    staff = create_staff(platform)
    second_manager = create_user("fleet_manager", platform=platform)
    late = create_rental(platform=platform, status="in_progress",
                         end_date=TODAY - timedelta(days=2), advisor=staff["advisor"])
    create_rental(platform=platform, end_date=TODAY - timedelta(days=2), status="returned")

    _run_twice("rental_overdue")

    prefix = f"rental:{late.id}:overdue:2026-02-28"
    assert _keys() == sorted(f"{prefix}:user:{u.id}" for u in
                             (staff["advisor"], staff["fleet_manager"], second_manager))
    # the fleet returns board shows it too (it reads the same rentals)
    from fleet.services import returns_board
    assert [r.id for r in returns_board(platform.id, TODAY)["overdue"]] == [late.id]


def test_a_rental_without_advisor_notifies_the_platforms_advisors(app):
    platform = create_platform()
    advisors = [create_user("advisor", platform=platform) for _ in range(2)]
    create_user("advisor")  # another platform: never
    late = create_rental(platform=platform, status="in_progress",
                         end_date=TODAY - timedelta(days=1))
    _run_twice("rental_overdue")
    assert _keys() == sorted(f"rental:{late.id}:overdue:2026-03-01:user:{a.id}" for a in advisors)


def test_maintenance_due_by_date_or_odometer(app):
    platform = create_platform()
    manager = create_staff(platform)["fleet_manager"]
    vehicle = create_vehicle(platform=platform, odometer_km=14_850)
    by_km = create_maintenance_job(vehicle, due_odometer_km=15_000)
    by_date = create_maintenance_job(vehicle, due_on=TODAY + timedelta(days=3))
    create_maintenance_job(vehicle, due_on=TODAY + timedelta(days=30))
    create_maintenance_job(vehicle, due_on=TODAY, status="done")

    _run_twice("maintenance_due")

    assert _keys() == sorted([f"maintenance:{by_km.id}:due:-:15000:user:{manager.id}",
                              f"maintenance:{by_date.id}:due:2026-03-05:-:user:{manager.id}"])


def test_insurance_and_technical_inspection_expiring(app):
    platform = create_platform()
    manager = create_staff(platform)["fleet_manager"]
    car = create_vehicle(platform=platform, kind="car",
                         insurance_expires_on=TODAY + timedelta(days=20),
                         technical_inspection_expires_on=TODAY - timedelta(days=1))
    create_vehicle(platform=platform, insurance_expires_on=TODAY + timedelta(days=90))
    create_vehicle(platform=platform, insurance_expires_on=TODAY, status="retired")

    _run_twice("vehicle_documents")

    assert _keys() == [f"vehicle:{car.id}:insurance_expiry:2026-03-22:user:{manager.id}",
                       f"vehicle:{car.id}:technical_inspection_expiry:2026-03-01:user:{manager.id}"]


def test_workshop_reminders_the_day_before_to_registered_people(app):
    platform = create_platform()
    advisor = create_staff(platform)["advisor"]
    ana, bob = create_beneficiary(platform), create_beneficiary(platform)
    tomorrow = create_workshop_session(platform, starts_at=NOW + timedelta(days=1, hours=2),
                                       attendees=[ana, bob], advisor=advisor)
    create_workshop_session(platform, starts_at=NOW + timedelta(days=4), attendees=[ana])
    create_workshop_session(platform, starts_at=NOW - timedelta(hours=2), attendees=[bob])

    _run_twice("workshop_reminders")

    prefix = f"workshop_session:{tomorrow.id}:reminder:2026-03-03"
    assert _keys() == [f"{prefix}:beneficiary:{ana.id}", f"{prefix}:beneficiary:{bob.id}"]
    advisors = set(db.session.scalars(select(OutboxMessage.advisor_id)))
    assert advisors == {advisor.id}


def test_progressive_plan_monthly_step_and_month_5_microcredit(app, smtp_server):
    notify_config(app, smtp=smtp_server)
    platform = create_platform()
    advisor = create_staff(platform)["advisor"]
    # month 2 starts on 4 March (within 3 days); month 5 starts on 4 June
    rental = create_amie_rental(platform, start_date=date(2026, 2, 4), advisor=advisor)

    _run_twice("progressive_plan")
    assert _keys() == [f"rental:{rental.id}:amie_month:2:user:{advisor.id}"]

    with time_machine.travel(datetime(2026, 6, 2, 7, 0, tzinfo=UTC), tick=False):
        run_job("progressive_plan")
        run_job("send_outbox")
    assert _keys("amie_microcredit") == [f"rental:{rental.id}:amie_microcredit:user:{advisor.id}"]
    assert f"rental:{rental.id}:amie_month:5:user:{advisor.id}" in _keys()
    subjects = [m["Subject"] for m in smtp_server[2].messages]
    assert any("microcrédit" in s for s in subjects) and any("mois 5" in s for s in subjects)


def test_checkpoint_reminder_from_the_next_date_of_the_last_checkpoint(app):
    from mobility.checkpoints.models import Checkpoint

    platform = create_platform()
    person = create_beneficiary(platform)
    rental = create_rental(platform=platform, status="in_progress",
                           end_date=TODAY + timedelta(days=30), beneficiary=person)
    other = create_rental(platform=platform, status="in_progress",
                          end_date=TODAY + timedelta(days=30))
    for r, day, next_date in ((rental, TODAY - timedelta(days=13), TODAY - timedelta(days=6)),
                              (rental, TODAY - timedelta(days=6), TODAY + timedelta(days=1)),
                              (other, TODAY - timedelta(days=1), TODAY + timedelta(days=6))):
        db.session.add(Checkpoint(platform_id=platform.id, rental_id=r.id, date=day,
                                  odometer_km=1000, next_date=next_date))
    db.session.commit()

    _run_twice("checkpoint_reminders")

    assert _keys() == [f"rental:{rental.id}:checkpoint:2026-03-03:beneficiary:{person.id}"]


def test_deposit_hold_close_to_expiry_goes_to_the_advisor(app):
    from mobility.payments.models import Deposit

    platform = create_platform()
    advisor = create_staff(platform)["advisor"]
    rental = create_rental(platform=platform, status="in_progress",
                           end_date=TODAY + timedelta(days=3), advisor=advisor)
    later = create_rental(platform=platform, status="in_progress",
                          end_date=TODAY + timedelta(days=3), advisor=advisor)
    held = Deposit(platform_id=platform.id, rental_id=rental.id, amount_cents=15000,
                   method="stripe_hold", status="held", hold_expires_at=NOW + timedelta(days=2))
    db.session.add_all([held, Deposit(platform_id=platform.id, rental_id=later.id,
                                      amount_cents=15000, method="stripe_hold", status="held",
                                      hold_expires_at=NOW + timedelta(days=6))])
    db.session.commit()

    _run_twice("deposit_holds_expiring")

    assert _keys() == [f"deposit:{held.id}:hold_expiry:2026-03-04:user:{advisor.id}"]


def test_stopped_scheduler_catches_up_after_a_missed_due_time(app, smtp_server):
    """The scheduler runs on Monday, is stopped before Tuesday's run, and restarts on
    Wednesday afternoon: the catch-up runs the missed jobs once, and the return that was
    'due tomorrow' on Tuesday (now due today) and the one now overdue are both notified."""
    notify_config(app, smtp=smtp_server)
    platform = create_platform()
    staff = create_staff(platform)
    person = create_beneficiary(platform)
    rental = create_rental(platform=platform, status="in_progress",
                           end_date=date(2026, 3, 4), beneficiary=person,
                           advisor=staff["advisor"])
    late = create_rental(platform=platform, status="in_progress",
                         end_date=date(2026, 3, 3), advisor=staff["advisor"])

    with time_machine.travel(NOW, tick=False):  # Monday: only `late` is due "tomorrow"
        first = run_due_jobs(trigger="catch-up")
        assert {r.job_id for r in first} >= {"rental_return_due", "rental_overdue"}
        assert [k.split(":")[2] for k in _keys()] == ["return_due", "return_due"]
        assert not any(k.startswith(f"rental:{rental.id}:") for k in _keys())
        assert due_jobs() == []
    # stopped from Monday 08:00 to Wednesday 15:00: Tuesday's 06:00 UTC runs were missed
    with time_machine.travel(datetime(2026, 3, 4, 14, 0, tzinfo=UTC), tick=False):
        assert {"rental_return_due", "rental_overdue", "send_outbox"} <= {
            spec.id for spec in due_jobs()}
        runs = run_due_jobs(trigger="catch-up")
        assert all(r.status == "ok" for r in runs)
        assert due_jobs() == []  # caught up: nothing due until the next time
        again = run_due_jobs(trigger="catch-up")
    assert again == []
    assert f"rental:{rental.id}:return_due:2026-03-04:beneficiary:{person.id}" in _keys()
    assert f"rental:{late.id}:overdue:2026-03-03:user:{staff['advisor'].id}" in _keys()
    sent = smtp_server[2].keys()
    assert sorted(sent) == sorted(set(sent)) == _keys()  # each sent exactly once


def test_a_failing_job_records_its_error_and_stays_due(app, monkeypatch):
    from mobility.scheduling import registry

    spec = registry.get_job("rental_overdue")

    def boom(now):
        raise RuntimeError("database on fire")

    monkeypatch.setitem(registry.registered_jobs(), "rental_overdue", spec.__class__(
        **{**spec.__dict__, "func": boom}))
    with time_machine.travel(NOW, tick=False):
        run = run_job("rental_overdue")
        assert run.status == "error" and "RuntimeError: database on fire" in run.error
        assert "rental_overdue" in {s.id for s in due_jobs()}
    assert db.session.get(JobRun, run.id).finished_at is not None


def test_checkpoint_reminder_gives_the_time_and_place_set_at_the_last_checkpoint(app):
    from datetime import time

    from mobility.checkpoints.models import Checkpoint
    from mobility.notifications.rendering import decode_context, render_message

    platform = create_platform()
    timed = create_rental(platform=platform, status="in_progress",
                          end_date=TODAY + timedelta(days=30))
    untimed = create_rental(platform=platform, status="in_progress",
                            end_date=TODAY + timedelta(days=30))
    db.session.add_all([
        Checkpoint(platform_id=platform.id, rental_id=timed.id, date=TODAY - timedelta(days=6),
                   odometer_km=1000, next_date=TODAY + timedelta(days=1),
                   next_time=time(14, 30), next_place="Mairie de Beausoleil, salle 2"),
        Checkpoint(platform_id=platform.id, rental_id=untimed.id,
                   date=TODAY - timedelta(days=6), odometer_km=1000,
                   next_date=TODAY + timedelta(days=1))])
    db.session.commit()

    _run_twice("checkpoint_reminders")

    messages = {m.object_id: m for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "checkpoint_reminder"))}
    with_time = render_message("checkpoint_reminder", "fr",
                               decode_context(messages[timed.id].context))
    assert "à 14:30" in with_time.sms and "Mairie de Beausoleil, salle 2" in with_time.sms
    assert "à 14:30" in with_time.text and "Mairie de Beausoleil" in with_time.html
    without = render_message("checkpoint_reminder", "fr",
                             decode_context(messages[untimed.id].context))
    assert "14:30" not in without.sms
    assert untimed.vehicle.site.name in without.text  # the rental's site by default
