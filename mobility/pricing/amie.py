"""The AMIE months of a person: their AMIE periods (a rental and the replacements that took
over from it count as one), the month of the plan a rental starts in, and the months used
against the platform's limit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from fleet.models import Rental
from mobility.core.dates import add_months
from mobility.core.db import db, id_in, read_once
from mobility.people.settings import amie_max_months as platform_limit
from mobility.pricing.engine import months_started
from mobility.pricing.models import RentalTerms


def _amie_rows(beneficiary_ids) -> dict[int, dict[int, tuple[date, date, int | None]]]:
    """Each person's AMIE rentals not cancelled, `{person: {rental: (start, end, replaces)}}`,
    in one query, read once per transaction (a file reads them for the eligibility and for
    each AMIE rental's price); a copy the caller may change."""
    ids = frozenset(beneficiary_ids)
    rows = read_once(("amie_rows", ids), lambda: _read_amie_rows(ids))
    return {person: dict(rentals) for person, rentals in rows.items()}


def _read_amie_rows(beneficiary_ids) -> dict[int, dict[int, tuple[date, date, int | None]]]:
    rows = db.session.execute(
        select(Rental.beneficiary_id, Rental.id, Rental.start_date, Rental.end_date,
               Rental.replaces_rental_id)
        .join(RentalTerms, RentalTerms.rental_id == Rental.id)
        .where(id_in(Rental.beneficiary_id, beneficiary_ids), RentalTerms.scheme == "amie",
               Rental.status != "cancelled")).all()
    out: dict[int, dict[int, tuple[date, date, int | None]]] = {}
    for row in rows:
        out.setdefault(row.beneficiary_id, {})[row.id] = (
            row.start_date, row.end_date, row.replaces_rental_id)
    return out


def _amie_chains(by_id: dict[int, tuple[date, date, int | None]]
                 ) -> tuple[dict[int, tuple[date, date]], dict[int, int]]:
    """A person's AMIE rentals grouped into periods: `{root id: (start, end)}` and each
    rental's root (a rental and the replacements that took over from it count as one period)."""
    chains: dict[int, tuple[date, date]] = {}
    roots: dict[int, int] = {}
    for rental_id, (start, end, _replaces) in by_id.items():
        root = rental_id
        while by_id[root][2] is not None and by_id[root][2] in by_id:
            root = by_id[root][2]
        roots[rental_id] = root
        first, last = chains.get(root, (start, end))
        chains[root] = (min(first, start), max(last, end))
    return chains, roots


def amie_periods(beneficiary_id: int, *, exclude_rental_id: int | None = None
                 ) -> list[tuple[date, date]]:
    """The person's AMIE periods `[start, end)`, not cancelled; a rental and the replacements
    that took over from it (a vehicle immobilised while out) count as one period."""
    rows = _amie_rows([beneficiary_id]).get(beneficiary_id, {})
    rows.pop(exclude_rental_id, None)
    chains, _roots = _amie_chains(rows)
    return sorted(chains.values())


def _first_month(rental, rows: dict[int, tuple[date, date, int | None]]) -> int:
    by_id = {**rows, rental.id: (rental.start_date, rental.end_date, rental.replaces_rental_id)}
    chains, roots = _amie_chains(by_id)
    root = roots[rental.id]
    root_start = chains[root][0]
    before = sum(months_started(start, end) for chain_id, (start, end) in chains.items()
                 if chain_id != root and (start, chain_id) < (root_start, root))
    elapsed = 0
    while add_months(root_start, elapsed + 1) <= rental.start_date:
        elapsed += 1
    return 1 + before + elapsed


def amie_first_month_of(rental) -> int:
    """The person's month of the AMIE plan in which `rental` starts, from all their AMIE
    periods as they stand now (so a rental booked later for earlier dates renumbers the later
    ones): 1 + the months of the periods that start before this one's, + the whole months a
    replacement's period had already run when it took over."""
    rows = _amie_rows([rental.beneficiary_id]).get(rental.beneficiary_id, {})
    return _first_month(rental, rows)


def amie_first_months(rentals) -> dict[int, int]:
    """`amie_first_month_of` for many rentals in one query (lists, dashboards)."""
    rows = _amie_rows({r.beneficiary_id for r in rentals}) if rentals else {}
    return {r.id: _first_month(r, rows.get(r.beneficiary_id, {})) for r in rentals}


def amie_months_used(beneficiary_id: int, *, exclude_rental_id: int | None = None,
                     before: date | None = None) -> int:
    """Months of the AMIE plan the person has used or booked, over all their AMIE rentals
    (a partial month counts: it is charged as a month of the ladder); with `before`, only the
    periods that start before that day."""
    return sum(months_started(start, end) for start, end in amie_periods(
        beneficiary_id, exclude_rental_id=exclude_rental_id)
        if before is None or start < before)


def amie_max_months(platform_id: int) -> int:
    """The platform's limit of AMIE months per person (`amie.max_rental_months`)."""
    return platform_limit(platform_id)
