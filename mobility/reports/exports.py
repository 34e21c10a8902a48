"""The report as CSV (semicolon-separated, UTF-8 with BOM, for French spreadsheets), XLSX
(one sheet per table) and a printable PDF activity report."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask_babel import gettext as _
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Font

from mobility.reports.tables import Table, display_value, report_tables

_REPLACEMENTS = {"\u202f": " ", "\u00a0": " ", "\u2019": "'", "\u2018": "'", "\u201c": '"',
                 "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u20ac": "EUR",
                 "\u2212": "-", "\u0153": "oe", "\u0152": "OE"}


def latin1(text: str) -> str:
    """PDF core fonts are Latin-1: map typographic characters, replace the rest."""
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("latin-1", "replace").decode("latin-1")


def filename(report: dict, extension: str) -> str:
    period = report["period"]
    return f"activite-{report['scope']['key']}-{period['start']}-{period['end']}.{extension}"


def _header_lines(report: dict) -> list[str]:
    period = report["period"]
    return [
        _("Activity report: %(name)s", name=report["scope"]["name"]),
        _("Period from %(start)s to %(end)s",
          start=date.fromisoformat(period["start"]).strftime("%d/%m/%Y"),
          end=date.fromisoformat(period["end"]).strftime("%d/%m/%Y")),
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


class _ReportPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", "", 8)
        self.cell(0, 6, latin1(f"{self.footer_text} - {self.page_no()}/{{nb}}"), align="C")


def to_pdf(report: dict) -> bytes:
    """The printable activity report: title, period, every table, with bars for the charts."""
    pdf = _ReportPDF(format="A4")
    pdf.footer_text = _("Activity report: %(name)s", name=report["scope"]["name"])
    pdf.set_title(latin1(pdf.footer_text))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("helvetica", "B", 16)
    title, period_line = _header_lines(report)
    pdf.multi_cell(width, 9, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    pdf.multi_cell(width, 6, latin1(period_line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 8)
    pdf.multi_cell(width, 5, latin1(_("Generated on %(when)s (UTC). Figures only: no personal "
                                      "data.", when=report["generated_at"].replace("T", " "))),
                   new_x="LMARGIN", new_y="NEXT")
    for table in report_tables(report):
        _pdf_table(pdf, table)
    return bytes(pdf.output())


def _pdf_table(pdf: FPDF, table: Table) -> None:
    width = pdf.epw
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 12)
    pdf.multi_cell(width, 7, latin1(table.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)
    if not table.rows:
        pdf.multi_cell(width, 6, latin1(_("Nothing in this period.")), new_x="LMARGIN",
                       new_y="NEXT")
        return
    first = 0.42 if len(table.columns) > 2 else 0.6
    rest = (1 - first) / max(1, len(table.columns) - 1)
    widths = [first] + [rest] * (len(table.columns) - 1)
    with pdf.table(col_widths=tuple(widths), text_align="LEFT", line_height=5.5,
                   first_row_as_headings=True) as grid:
        header = grid.row()
        for column in table.columns:
            header.cell(latin1(column))
        for row in table.rows:
            line = grid.row()
            for index, value in enumerate(row):
                line.cell(latin1(display_value(table, index, value)))
    if table.chart and table.rows:
        values = table.chart_items()
        largest = max(v for _n, v in values) or 1
        pdf.ln(2)
        for name, value in values:
            if pdf.will_page_break(6):
                pdf.add_page()
            y = pdf.get_y()
            pdf.set_font("helvetica", "", 8)
            pdf.cell(60, 5, latin1(name[:40]))
            bar = (width - 80) * value / largest
            pdf.set_fill_color(31, 95, 139)
            if bar > 0:
                pdf.rect(pdf.l_margin + 60, y + 1, bar, 3.5, style="F")
            pdf.set_xy(pdf.l_margin + 62 + bar, y)
            pdf.cell(18, 5, latin1(f"{value:g}"), new_x="LMARGIN", new_y="NEXT")
    if table.note:
        pdf.set_font("helvetica", "I", 8)
        pdf.multi_cell(width, 5, latin1(table.note), new_x="LMARGIN", new_y="NEXT")
