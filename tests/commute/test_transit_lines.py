"""Public transport without a published feed: lines from OpenStreetMap or typed in, timetables
an admin enters, the illustrative GTFS (frequencies.txt) they become, a GTFS import, and the
commute check judging public transport on them (both sides of each timetable boundary)."""

from __future__ import annotations

import io
import zipfile
from datetime import time

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from mobility.commute import services, transit_lines
from mobility.commute.demo import load_lines
from mobility.commute.models import CommuteSettings, TransitLine
from mobility.commute.person_ladder import person_ladder
from mobility.core.db import db
from routing import TransitFeed
from routing.transit_lines import departures, extract_osm_lines, write_gtfs
from tests.factories import create_platform, create_user, csrf_token_from, login
from tests.routing.routing_data import MONACO_PBF, TEST_GTFS

from .helpers import (
    MONDAY,
    STOPS,
    SUNDAY,
    create_commuter,
    make_line,
    reason_codes,
    transit_of,
    zipped,
)

# -- GTFS writing (routing library) -------------------------------------------------------------


def test_departures_every_headway_and_past_midnight():
    assert departures("06:00", "07:00", 20) == [21600, 22800, 24000, 25200]
    assert departures("23:30", "00:30", 30) == [84600, 86400, 88200]  # past 24:00


def test_written_feed_repeats_the_trip_by_frequencies(tmp_path):
    path = write_gtfs([{"id": 1, "ref": "N1", "name": "Navette", "kind": "bus", "stops": STOPS,
                        "first": "06:00", "last": "07:00", "headway_min": 20,
                        "days": [0, 1, 2, 3, 4], "both_ways": True}], tmp_path / "feed.zip")
    with zipfile.ZipFile(path) as archive:
        assert "frequencies.txt" in archive.namelist()
        assert "06:00:00,07:00:01,1200,1" in archive.read("frequencies.txt").decode()
    feed = TransitFeed.read(path)
    board = feed.stop_times[feed.stop_times["stop_sequence"] == 1]
    outbound = sorted(board[board["service_trip_id"] == "L1-0"]["dep_s"])
    assert outbound == [21600, 22800, 24000, 25200]  # 06:00, 06:20, 06:40, 07:00
    assert feed.active_trips(MONDAY) == {"L1-0", "L1-1"} and feed.active_trips(SUNDAY) == set()


def test_the_extracts_bus_and_train_lines_with_ordered_stops():
    lines = extract_osm_lines(MONACO_PBF)
    refs = {(line["kind"], line["ref"]) for line in lines}
    assert {("bus", "1"), ("bus", "2"), ("bus", "4"), ("bus", "5"), ("train", "TER 4")} <= refs
    one = next(line for line in lines if line["ref"] == "1")
    assert len(one["stops"]) >= 5 and all(s["name"] and s["lat"] for s in one["stops"])


# -- the timetable decides public transport -----------------------------------------------------


def test_last_departure_before_or_after_the_shift_end(app):
    platform = create_platform()
    person = create_commuter(platform)
    line = make_line(platform, last="16:50")  # shift ends 17:00: no trip home
    assert reason_codes(transit_of(person, arrive_by="08:00", leave_at="17:00")) == {"no_return"}
    transit_lines.save_line(create_user("admin", platform), platform.id, line, ref="N1",
                            name="Navette", kind="bus", first="05:00", last="17:10",
                            headway_min=15, days=[0, 1, 2, 3, 4])
    assert transit_of(person, arrive_by="08:00", leave_at="17:00")["feasible"] is True


def test_headway_longer_than_the_wait_allowed_misses_the_shift(app):
    platform = create_platform()
    person = create_commuter(platform)
    # every 2 h from 05:00: the 05:00 bus is at work over 45 min before 06:30, the 07:00 one
    # after it; every 10 min, one arrives within the 45 min
    make_line(platform, first="05:00", last="21:00", headway_min=120)
    assert "no_outbound" in reason_codes(transit_of(person, arrive_by="06:30", leave_at="17:00"))
    db.session.execute(TransitLine.__table__.update().values(headway_min=10))
    db.session.commit()
    assert transit_of(person, arrive_by="06:30", leave_at="17:00")["feasible"] is True


def test_days_of_service(app):
    platform = create_platform()
    person = create_commuter(platform)
    make_line(platform, days=[0, 1, 2, 3, 4])
    assert transit_of(person, arrive_by="08:00", leave_at="17:00", day=MONDAY)["feasible"] is True
    sunday = transit_of(person, arrive_by="08:00", leave_at="17:00", day=SUNDAY)
    assert reason_codes(sunday) == {"no_outbound", "no_return"}


def test_night_shift_with_and_without_a_night_bus(app):
    platform = create_platform()
    person = create_commuter(platform, shift_start=time(21), shift_end=time(5))
    line = make_line(platform, first="06:00", last="23:30")
    without = transit_of(person, arrive_by="21:00", leave_at="05:00")
    assert reason_codes(without) == {"no_return"}
    transit_lines.save_line(create_user("admin", platform), platform.id, line, ref="N1",
                            name="Noctambus", kind="bus", first="19:00", last="05:30",
                            headway_min=30, days=[0, 1, 2, 3, 4, 5, 6])
    with_night_bus = transit_of(person, arrive_by="21:00", leave_at="05:00")
    assert with_night_bus["feasible"] is True
    assert with_night_bus["days"][0]["inbound"]["route"] == "N1"


def test_the_platform_feed_comes_before_gtfs_path_and_an_import_before_both(app):
    platform = create_platform()
    app.config["GTFS_PATH"] = str(TEST_GTFS)
    assert services.gtfs_path_for(platform.id).name == TEST_GTFS.name
    make_line(platform)
    assert services.gtfs_path_for(platform.id) == transit_lines.lines_feed_path(platform.id)
    other = create_platform()
    assert services.gtfs_path_for(other.id).name == TEST_GTFS.name  # scoped per platform


def test_demo_lines_give_a_person_near_a_line_public_transport(app):
    platform = create_platform()
    load_lines(platform)
    refs = {line.ref for line in transit_lines.lines_of(platform.id)}
    assert {"1", "2", "4", "5", "6", "TER 4"} <= refs
    assert all(line.has_timetable for line in transit_lines.lines_of(platform.id))
    load_lines(platform)  # idempotent
    assert db.session.scalar(select(func.count(TransitLine.id))) == len(refs)
    # lives by Roquebrune-Cap-Martin's station, works by Monaco's: the coastal TER
    person = create_commuter(platform, address="Avenue de la Gare, Roquebrune-Cap-Martin",
                             address_lat=43.76010, address_lon=7.45650,
                             shift_start=time(8), shift_end=time(17))
    stored = services.run_check_for_beneficiary(None, person, days=["monday"])
    assert stored.transit["checked"] and stored.transit["feasible"], stored.transit
    ladder = person_ladder(person, stored)
    first = ladder["levels"][0]
    assert first["level"] == "public_transport"
    assert first["status"] in ("recommended", "possible", "possible_with_coaching")
    line = next(r for r in first["reasons"] if r["code"] == "transit_line")
    assert line["message"].startswith("Ligne TER 4 : départ à ")
    with force_locale("en"):
        first = person_ladder(person, stored)["levels"][0]
    line = next(r for r in first["reasons"] if r["code"] == "transit_line")
    assert line["message"].startswith("Line TER 4: leave ")


# -- the admin page --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["advisor", "fleet_manager", "prescriber"])
def test_only_admins_see_the_lines_page(client, app, role):
    login(client, create_user(role, create_platform()))
    assert client.get("/commute/transit-lines").status_code == 403


def test_admin_adds_and_edits_a_line(client, app):
    platform = create_platform()
    admin = create_user("admin", platform)
    login(client, admin)
    page = client.get("/commute/transit-lines", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Lignes de transport en commun" in html and 'data-feed="none"' in html
    response = client.post("/commute/transit-lines", data={
        "csrf_token": csrf_token_from(html), "new-ref": "R1", "new-name": "Ligne rurale",
        "new-kind": "bus", "new-stops": "Mairie; 43.7539; 7.4406\nGare; 43.737; 7.4215",
        "new-first_departure": "06:00", "new-last_departure": "19:00",
        "new-headway_min": "30", "new-days": ["0", "1", "2", "3", "4"]})
    assert response.status_code == 302
    line = db.session.scalar(select(TransitLine))
    assert (line.ref, line.headway_min, line.day_numbers) == ("R1", 30, [0, 1, 2, 3, 4])
    shown = client.get("/commute/transit-lines").get_data(as_text=True)
    assert 'data-feed="lines"' in shown and "Indicatifs" in shown
    edit = client.post(f"/commute/transit-lines/{line.id}", data={
        "csrf_token": csrf_token_from(shown), f"line{line.id}-ref": "R1",
        f"line{line.id}-name": "Ligne rurale", f"line{line.id}-kind": "bus",
        f"line{line.id}-stops": "Mairie; 43.7539; 7.4406\nGare; 43.737; 7.4215",
        f"line{line.id}-first_departure": "05:30", f"line{line.id}-last_departure": "20:00",
        f"line{line.id}-headway_min": "20", f"line{line.id}-days": ["0", "5"]})
    assert edit.status_code == 302
    db.session.refresh(line)
    assert (line.first_departure, line.headway_min, line.day_numbers) == (time(5, 30), 20,
                                                                         [0, 5])


@pytest.mark.parametrize(("lang", "message"), [("fr", "Indiquez une fréquence"),
                                               ("en", "Give a headway")])
def test_bad_timetable_is_refused_in_both_languages_and_nothing_changes(client, app, lang,
                                                                         message):
    platform = create_platform()
    line = make_line(platform)
    login(client, create_user("admin", platform))
    html = client.get("/commute/transit-lines").get_data(as_text=True)
    response = client.post(f"/commute/transit-lines/{line.id}", headers={
        "Accept-Language": lang}, data={
        "csrf_token": csrf_token_from(html), f"line{line.id}-ref": "N1",
        f"line{line.id}-name": "Navette", f"line{line.id}-kind": "bus",
        f"line{line.id}-first_departure": "06:00", f"line{line.id}-last_departure": "07:00",
        f"line{line.id}-headway_min": "0", f"line{line.id}-days": ["0"]})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(line)
    assert line.headway_min == 15 and line.first_departure == time(5)


def test_bad_stops_are_refused(client, app):
    platform = create_platform()
    login(client, create_user("admin", platform))
    html = client.get("/commute/transit-lines").get_data(as_text=True)
    response = client.post("/commute/transit-lines", headers={"Accept-Language": "fr"}, data={
        "csrf_token": csrf_token_from(html), "new-ref": "R1", "new-kind": "bus",
        "new-stops": "Mairie; nord; 7.44\nUnknown stop"})
    assert response.status_code == 400
    assert "Ligne(s) 1, 2" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TransitLine.id))) == 0


def test_another_platforms_line_is_not_found(client, app):
    line = make_line(create_platform())
    login(client, create_user("admin", create_platform()))
    html = client.get("/commute/transit-lines").get_data(as_text=True)
    response = client.post(f"/commute/transit-lines/{line.id}/delete",
                           data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 404
    assert db.session.get(TransitLine, line.id) is not None



def test_import_a_published_gtfs_zip_then_go_back_to_the_lines(client, app):
    platform = create_platform()
    make_line(platform)
    login(client, create_user("admin", platform))
    html = client.get("/commute/transit-lines").get_data(as_text=True)
    bad = client.post("/commute/transit-lines/import", headers={"Accept-Language": "en"},
                      data={"csrf_token": csrf_token_from(html),
                            "gtfs_file": (io.BytesIO(b"not a zip"), "feed.zip")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "Choose a GTFS zip file" in bad.get_data(as_text=True)
    assert db.session.scalar(select(CommuteSettings)) is None
    good = client.post("/commute/transit-lines/import",
                       data={"csrf_token": csrf_token_from(html),
                             "gtfs_file": (io.BytesIO(zipped(TEST_GTFS)), "feed.zip")},
                       content_type="multipart/form-data")
    assert good.status_code == 302
    assert services.gtfs_path_for(platform.id) == transit_lines.imported_feed_path(platform.id)
    shown = client.get("/commute/transit-lines").get_data(as_text=True)
    assert 'data-feed="imported"' in shown
    back = client.post("/commute/transit-lines/use-lines",
                       data={"csrf_token": csrf_token_from(shown)})
    assert back.status_code == 302
    assert services.gtfs_path_for(platform.id) == transit_lines.lines_feed_path(platform.id)

