"""The report as titled tables with translated labels: one layout for the page, CSV, XLSX, PDF."""

from __future__ import annotations

from dataclasses import dataclass, field

from fleet.models import VEHICLE_KIND_LABELS
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.i18n import money as format_money
from mobility.organisations.models import ORGANISATION_KINDS
from mobility.payments.models import PAYMENT_METHOD_LABELS
from mobility.people.ladder import LEVEL_LABELS
from mobility.people.models import (
    ACTION_KINDS,
    EXIT_EMPLOYMENT,
    EXIT_REASONS,
    EXIT_SOLUTIONS,
    GENDERS,
    label,
)

AGE_BAND_LABELS = {
    "under_26": _l("Under 26"),
    "26_44": _l("26 to 44"),
    "45_54": _l("45 to 54"),
    "55_plus": _l("55 and over"),
    "unknown": _l("Age not known"),
}


@dataclass
class Table:
    """One table of the report. `chart` names the (label, value) column pair to draw, if any."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    #: indexes of (label column, value column) for a bar chart, or None
    chart: tuple[int, int] | None = None
    #: columns holding cents (formatted as money for people, raw cents in CSV/XLSX)
    money_columns: set[int] = field(default_factory=set)
    note: str | None = None

    def chart_items(self) -> list[tuple[str, float]]:
        """The (label, value) pairs the chart draws."""
        if not self.chart:
            return []
        label_index, value_index = self.chart
        return [(str(row[label_index]), float(row[value_index] or 0)) for row in self.rows]


def _pct(value) -> str:
    return "" if value is None else f"{value:.1f} %".replace(".", ",")


def _num(value) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def report_tables(report: dict) -> list[Table]:
    """The report's tables in reading order (labels in the current language)."""
    return [*_people_tables(report), *_action_tables(report["actions"]),
            *_fleet_and_potential_tables(report), *_exit_tables(report["exits"]),
            _money_table(report["money"])]


def _people_tables(report: dict) -> list[Table]:
    """The summary, the referrals received and the people met by gender and age band."""
    people, exits = report["people"], report["exits"]
    return [
        Table("summary", _("Summary"), [_("Figure"), _("Value")], [
            [_("Referrals received"), sum(r["received"] for r in report["referrals"])],
            [_("People met"), people["total"]],
            [_("New pathways opened"), people["new"]],
            [_("Residents of priority neighbourhoods (QPV)"), people["qpv_residents"]],
            [_("RSA recipients"), people["rsa_recipients"]],
            [_("Exits"), exits["total"]],
            [_("Exits with a lasting mobility solution"), exits["lasting_solution"]],
        ]),
        Table("referrals", _("Referrals received, by partner organisation"),
              [_("Partner organisation"), _("Kind"), _("Received"), _("Accepted referrals"),
               _("Declined referrals"), _("Waiting")],
              [[r["organisation"], label(ORGANISATION_KINDS, r["kind"]), r["received"],
                r["accepted"], r["declined"], r["waiting"]] for r in report["referrals"]],
              chart=(0, 2)),
        Table("gender", _("People met, by gender"), [_("Gender"), _("People")],
              [[label(GENDERS, code), count] for code, count in people["by_gender"].items()],
              chart=(0, 1)),
        Table("age", _("People met, by age band"), [_("Age band"), _("People")],
              [[label(AGE_BAND_LABELS, code), count]
               for code, count in people["by_age_band"].items()],
              chart=(0, 1),
              note=_("Age reached during the last year of the period.")),
    ]


def _action_tables(actions: dict) -> list[Table]:
    """The actions set up, by kind, and the referrals to partner operators."""
    action_rows = [
        [label(ACTION_KINDS, "coaching"), actions["coaching"]["count"],
         actions["coaching"]["people"]],
        [label(ACTION_KINDS, "workshop"), actions["workshop"]["count"],
         actions["workshop"]["people"]],
    ]
    for kind in VEHICLE_KIND_LABELS:
        item = actions["rentals_by_vehicle_kind"].get(kind)
        if item:
            action_rows.append([_("Rental: %(kind)s", kind=label(VEHICLE_KIND_LABELS, kind)),
                                item["count"], item["people"]])
    action_rows += [
        [_("Carpool seats"), actions["carpool"]["count"], actions["carpool"]["people"]],
        [_("Minibus seats"), actions["minibus"]["count"], actions["minibus"]["people"]],
        [label(ACTION_KINDS, "partner_referral"), actions["partner_referral"]["count"],
         actions["partner_referral"]["people"]],
    ]
    tables = [Table("actions", _("Actions set up, by kind"),
                    [_("Action"), _("Number"), _("People")], action_rows, chart=(0, 1))]
    if actions["partner_referrals_by_organisation"]:
        tables.append(Table(
            "partners", _("Referrals to partner operators"), [_("Partner"), _("Number")],
            [[p["organisation"], p["count"]]
             for p in actions["partner_referrals_by_organisation"]]))
    return tables


def _fleet_and_potential_tables(report: dict) -> list[Table]:
    """Fleet occupancy, the mobility potential and the ladder of recommended solutions."""
    potential = report["mobility_potential"]
    tables = []
    tables.append(Table(
        "fleet", _("Rental days and fleet occupancy, by vehicle kind and site"),
        [_("Vehicle kind"), _("Site"), _("Vehicles"), _("Rentals"), _("Rental days"),
         _("Occupancy")],
        [[label(VEHICLE_KIND_LABELS, c["vehicle_kind"]), c["site"], c["vehicles"], c["rentals"],
          c["rental_days"], _pct(c["occupancy_pct"])] for c in report["fleet"]],
        note=_("Occupancy: rental days divided by the vehicles not retired times the days of "
               "the period.")))
    tables.append(Table("potential", _("Mobility potential"), [_("Figure"), _("Value")], [
        [_("Entry assessments in the period"), potential["entry_assessments"]],
        [_("Average potential at entry"), _num(potential["entry_average"])],
        [_("Exits with an entry and an exit assessment"), potential["exited_with_both"]],
        [_("Average potential at entry of these people"), _num(potential["exit_entry_average"])],
        [_("Average potential at exit"), _num(potential["exit_average"])],
        [_("Average gain"), _num(potential["gain_average"])],
    ]))
    tables.append(Table("ladder", _("Solutions recommended at the latest commute check"),
                        [_("Solution"), _("People")],
                        [[str(LEVEL_LABELS[k]) if k in LEVEL_LABELS
                          else _("No solution confirmed yet"), v]
                         for k, v in report.get("ladder", {}).items()], chart=(0, 1),
                        note=_("People whose commute was checked in the period, by the level of "
                               "the ladder their latest check recommended.")))
    return tables


def _exit_tables(exits: dict) -> list[Table]:
    """Exits by mobility solution, employment outcome and reason."""
    tables = []
    tables.append(Table("exit_solutions", _("Exits, by mobility solution"),
                        [_("Solution"), _("Exits")],
                        [[label(EXIT_SOLUTIONS, k), v] for k, v in exits["by_solution"].items()],
                        chart=(0, 1),
                        note=_("Lasting mobility solution found: %(pct)s of exits.",
                               pct=_pct(exits["lasting_solution_pct"]) or "—")))
    tables.append(Table("exit_employment", _("Exits, by employment outcome"),
                        [_("Employment outcome"), _("Exits")],
                        [[label(EXIT_EMPLOYMENT, k), v]
                         for k, v in exits["by_employment"].items()], chart=(0, 1)))
    tables.append(Table("exit_reasons", _("Exits, by reason"), [_("Reason"), _("Exits")],
                        [[label(EXIT_REASONS, k), v] for k, v in exits["by_reason"].items()]))
    return tables


def _money_table(money: dict) -> Table:
    """Amounts invoiced, paid and outstanding (and the cost per beneficiary with a budget)."""
    money_rows = [
        [_("Amount invoiced"), money["invoiced_cents"]],
        [_("Amount paid"), money["paid_cents"]],
        [_("Amount outstanding at the end of the period"), money["outstanding_cents"]],
    ]
    for method, cents in money["paid_by_method"].items():
        money_rows.append([_("Paid: %(method)s", method=label(PAYMENT_METHOD_LABELS, method)),
                           cents])
    if money["budget_cents"] is not None:
        money_rows.append([_("Budget of the period"), money["budget_cents"]])
        money_rows.append([_("Cost per beneficiary"), money["cost_per_beneficiary_cents"]])
    return Table("money", _("Amounts"), [_("Figure"), _("Amount")], money_rows,
                 money_columns={1})


def display_value(table: Table, index: int, value) -> str:
    """A cell as shown to people (money formatted)."""
    if value is None:
        return "—"
    if index in table.money_columns and isinstance(value, int):
        return format_money(value)
    return str(value)
