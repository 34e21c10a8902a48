"""The report as CSV (semicolon-separated, UTF-8 with BOM, for French spreadsheets), XLSX
(one sheet per table) and a printable PDF activity report."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from mobility.core.translations import gettext as _
from mobility.i18n import local_date, local_datetime
from mobility.pdf import Document, figure_alignment
from mobility.reports.tables import Table, display_value, report_tables


def filename(report: dict, extension: str) -> str:
    period = report["period"]
    return f"activite-{report['scope']['key']}-{period['start']}-{period['end']}.{extension}"


def _header_lines(report: dict) -> list[str]:
    period = report["period"]
    return [
        _("Activity report: %(name)s", name=report["scope"]["name"]),
        _("Period from %(start)s to %(end)s",
          start=local_date(date.fromisoformat(period["start"]), "short"),
          end=local_date(date.fromisoformat(period["end"]), "short")),
    ]


#: a spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV Injection")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """A text a spreadsheet would run: starts with = + - @, a tab or a carriage return."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise(value):
    """Text made inert for spreadsheets by a leading apostrophe (OWASP); other values as is."""
    return "'" + value if is_formula_like(value) else value


def _plain_cell(table: Table, index: int, value):
    """A machine-friendly cell: money in euros with a decimal comma, numbers as they are."""
    if value is None:
        return ""
    if index in table.money_columns and isinstance(value, int):
        return f"{value / 100:.2f}".replace(".", ",")
    return neutralise(value)


def to_csv(report: dict) -> bytes:
    """All tables one after the other, each headed by its title; money in euros."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for line in _header_lines(report):
        writer.writerow([neutralise(line)])
    for table in report_tables(report):
        writer.writerow([])
        writer.writerow([neutralise(table.title)])
        writer.writerow([neutralise(c + (" (EUR)" if i in table.money_columns else ""))
                         for i, c in enumerate(table.columns)])
        for row in table.rows:
            writer.writerow([_plain_cell(table, i, v) for i, v in enumerate(row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text_not_formulas(sheet) -> None:
    """Every cell we wrote is data: a text starting like a formula stays text (string type,
    with Excel's quote prefix), so no site or person named "=HYPERLINK(...)" ever runs."""
    for row in sheet.iter_rows():
        for cell in row:
            if is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def to_xlsx(report: dict) -> bytes:
    """One sheet per table (money as euro amounts with a currency format)."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in report_tables(report):
        name = table.title[:28].replace("/", "-").replace(":", "")
        base, n = name, 2
        while name in used:
            name = f"{base[:25]} {n}"
            n += 1
        used.add(name)
        sheet = book.create_sheet(title=name)
        for line in _header_lines(report):
            sheet.append([line])
        sheet.append([table.title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append(table.columns)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values = [v / 100 if i in table.money_columns and isinstance(v, int) else v
                      for i, v in enumerate(row)]
            sheet.append(values)
            for i in table.money_columns:
                sheet.cell(row=sheet.max_row, column=i + 1).number_format = '#,##0.00 "€"'
        if table.note:
            sheet.append([table.note])
        _text_not_formulas(sheet)
        for index, _column in enumerate(table.columns):
            letter = sheet.cell(row=3, column=index + 1).column_letter
            sheet.column_dimensions[letter].width = 40 if index == 0 else 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_pdf(report: dict) -> bytes:
    """The printable activity report: title, period, every table (the cells the page shows,
    `display_value`), with bars for the charts; readable colours (see mobility.pdf)."""
    title, period_line = _header_lines(report)
    pdf = Document(title, footer_text=title)
    generated = datetime.fromisoformat(report["generated_at"])
    pdf.title_block(title, _("%(period)s. Generated on %(when)s. Figures only: no personal "
                             "data.", period=period_line,
                             when=local_datetime(generated, "short")))
    for table in report_tables(report):
        _pdf_table(pdf, table)
    return pdf.output_bytes()


def _pdf_table(pdf: Document, table: Table) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.heading(table.title)
    if not table.rows:
        pdf.paragraph(_("Nothing in this period."), size=9)
        return
    count = len(table.columns)
    first = 0.34 if count > 4 else 0.42 if count > 2 else 0.6
    rest = (1 - first) / max(1, count - 1)
    pdf.grid(table.columns,
             [[display_value(table, index, value) for index, value in enumerate(row)]
              for row in table.rows],
             widths=[first] + [rest] * (count - 1), align=figure_alignment(table.rows, count))
    if table.chart:
        pdf.bar_chart(table.chart_items())
    if table.note:
        pdf.paragraph(table.note, size=8, style="I")
