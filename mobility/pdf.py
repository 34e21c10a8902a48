"""The one PDF toolkit every document uses (contract, état des lieux, funders' report, right
of access): an embedded Unicode TrueType font so that any name prints as written, a running
header, tables with readable colours and "page X / Y" at the foot of every page.

The font is DejaVu Sans (Debian's `fonts-dejavu-core`, installed by `bin/setup`); set
`PDF_FONT_DIR` to use a copy elsewhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from flask import current_app
from fpdf import FPDF
from fpdf.fonts import FontFace

from mobility.core.translations import gettext as _
from mobility.i18n import local_date, number

FAMILY = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
               "BI": "DejaVuSans-BoldOblique.ttf"}
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"

#: colours (RGB). Contrast ratios against their background, WCAG 2.1 AA asks 4.5:1 for text:
#: white on ACCENT 6.9:1, INK on white 17.4:1, MUTED on white 7.5:1, INK on ZEBRA 15.9:1.
INK = (17, 24, 39)
MUTED = (75, 85, 99)
ACCENT = (31, 95, 139)
ZEBRA = (243, 244, 246)
WHITE = (255, 255, 255)
RULE = (156, 163, 175)


def font_dir() -> Path:
    """Where the TrueType files are (PDF_FONT_DIR or Debian's path); a clear error if absent."""
    configured = current_app.config.get("PDF_FONT_DIR") if current_app else None
    folder = Path(configured or DEFAULT_FONT_DIR)
    if not (folder / _FONT_FILES[""]).is_file():
        raise RuntimeError(f"DejaVu Sans not found in {folder}: install the Debian package "
                           "fonts-dejavu-core (bin/setup does) or set PDF_FONT_DIR.")
    return folder


def rental_number(rental) -> str:
    """The number a rental's documents print (contract, condition report): platform-rental."""
    return f"{rental.platform_id}-{rental.id}"


def short_date(value) -> str:
    """A date as the documents print it (short, in the current language); "—" when unknown."""
    return local_date(value, "short") if value else "—"


def is_figure(value) -> bool:
    """A cell that reads as a number (an amount, a count, a percentage): right-aligned."""
    if value is None or isinstance(value, int | float):
        return True
    return isinstance(value, str) and value.rstrip(" %\u202f\u00a0").replace(",", "").isdigit()


def figure_alignment(rows: Sequence[Sequence], count: int) -> list[str]:
    """Per column: RIGHT for columns of figures (they line up by digit), LEFT for words; the
    first column (the row's label) is always LEFT."""
    return ["RIGHT" if index > 0 and all(is_figure(row[index]) for row in rows) else "LEFT"
            for index in range(count)]


def clean(text) -> str:
    """Text as the PDF gets it: composed Unicode (Vietnamese tones as single glyphs)."""
    return unicodedata.normalize("NFC", "" if text is None else str(text))


class Document(FPDF):
    """An A4 document in DejaVu Sans with a running header and numbered pages.

    `title` goes in the metadata and the header of the pages after the first; `footer_text`
    (optional) is printed left of the page number."""

    def __init__(self, title: str, *, footer_text: str = "", created_at: datetime | None = None,
                 lang: str = "fr") -> None:
        super().__init__(format="A4")
        folder = font_dir()
        for style, name in _FONT_FILES.items():
            self.add_font(FAMILY, style, str(folder / name))
        self.doc_title = clean(title)
        self.footer_text = clean(footer_text)
        self.set_title(self.doc_title)
        self.set_lang(lang)
        self.set_creator("mobility")
        if created_at is not None:
            self.set_creation_date(created_at)
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self.add_page()
        self.font(10)

    # -- page furniture ----------------------------------------------------------------------

    def font(self, size: float, style: str = "") -> None:
        self.set_font(FAMILY, style, size)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(8)
        self.font(8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.doc_title, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.set_y(18)

    def footer(self) -> None:
        self.set_y(-12)
        self.font(8)
        self.set_text_color(*MUTED)
        # "{nb}" is fpdf2's alias for the page count, filled in when the document is closed
        page = _("page %(page)s / %(pages)s", page=self.page_no(), pages="{nb}")
        if self.footer_text:
            self.cell(self.epw * 0.75, 6, self.footer_text, align="L")
            self.cell(0, 6, page, align="R")
        else:
            self.cell(0, 6, page, align="C")
        self.set_text_color(*INK)

    # -- blocks ------------------------------------------------------------------------------

    def title_block(self, title: str, subtitle: str | None = None) -> None:
        """The document's title (and a smaller line under it)."""
        self.font(16, "B")
        self.multi_cell(self.epw, 8, clean(title), new_x="LMARGIN", new_y="NEXT", align="L")
        if subtitle:
            self.font(9)
            self.set_text_color(*MUTED)
            self.multi_cell(self.epw, 5, clean(subtitle), new_x="LMARGIN", new_y="NEXT",
                            align="L")
            self.set_text_color(*INK)
        self.font(10)

    def heading(self, text: str, size: float = 12, keep_with: float = 20) -> None:
        """A section title, moved to the next page unless `keep_with` mm follow it there."""
        if self.will_page_break(keep_with):
            self.add_page()
        self.ln(3)
        self.font(size, "B")
        self.set_text_color(*ACCENT)
        self.multi_cell(self.epw, 7, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
        self.set_text_color(*INK)
        self.font(10)

    def paragraph(self, text: str, size: float = 10, style: str = "") -> None:
        self.font(size, style)
        # ragged right: justified text opens rivers of space (WCAG 1.4.8)
        self.multi_cell(self.epw, size * 0.5, clean(text), new_x="LMARGIN", new_y="NEXT",
                        align="L")
        self.font(10)

    def bullets(self, items: Iterable[str]) -> None:
        for item in items:
            self.set_x(self.l_margin)
            self.cell(5, 5, "•")
            self.multi_cell(self.epw - 5, 5, clean(item), new_x="LMARGIN", new_y="NEXT",
                            align="L")

    def key_values(self, rows: Sequence[tuple[str, str]], key_width: float = 0.35) -> None:
        """Label / value lines (label in bold), for identities and vehicle details."""
        self.grid(None, [(k, v) for k, v in rows], widths=(key_width, 1 - key_width),
                  bold_first=True)

    def grid(self, columns: Sequence[str] | None, rows: Sequence[Sequence], *,
             widths: Sequence[float] | None = None, align: Sequence[str] | None = None,
             bold_first: bool = False, size: float = 9) -> None:
        """A table: white on ACCENT headings, INK on white / ZEBRA bodies (never black on a
        dark fill). `widths` are fractions of the line; `align` per column ("L", "R", "C")."""
        count = len(columns) if columns else max((len(r) for r in rows), default=1)
        widths = tuple(widths) if widths else (1 / count,) * count
        self.font(size)
        self.set_text_color(*INK)
        self.set_fill_color(*WHITE)
        headings = FontFace(family=FAMILY, emphasis="BOLD", color=WHITE, fill_color=ACCENT,
                            size_pt=size - 1)
        with self.table(col_widths=widths, text_align=tuple(align) if align else "LEFT",
                        line_height=size * 0.6, first_row_as_headings=bool(columns),
                        headings_style=headings, cell_fill_color=ZEBRA, cell_fill_mode="ROWS",
                        borders_layout="HORIZONTAL_LINES", padding=1.2) as table:
            if columns:
                heading = table.row()
                for column in columns:
                    heading.cell(clean(column))
            for values in rows:
                line = table.row()
                for index, value in enumerate(values):
                    style = FontFace(emphasis="BOLD") if bold_first and index == 0 else None
                    line.cell(clean(value), style=style)
        self.font(10)

    def signature_block(self, parties: Sequence[tuple[str, str]], note: str | None = None,
                        ) -> None:
        """Side-by-side boxes, one per party (role, name), with room to sign by hand."""
        if self.will_page_break(48):
            self.add_page()
        self.ln(4)
        gap = 6
        width = (self.epw - gap * (len(parties) - 1)) / max(1, len(parties))
        top = self.get_y()
        for index, (role, name) in enumerate(parties):
            x = self.l_margin + index * (width + gap)
            self.rect(x, top, width, 38)
            self.set_xy(x + 2, top + 2)
            self.font(9, "B")
            self.multi_cell(width - 4, 5, clean(role), new_x="LEFT", new_y="NEXT")
            self.font(9)
            self.multi_cell(width - 4, 5, clean(name), new_x="LEFT", new_y="NEXT")
            self.set_text_color(*MUTED)
            self.set_xy(x + 2, top + 26)
            self.multi_cell(width - 4, 4, _("Date and signature:"), new_x="LEFT",
                            new_y="NEXT")
            self.set_text_color(*INK)
        self.set_xy(self.l_margin, top + 40)
        if note:
            self.paragraph(note, size=8)

    def image_row(self, paths: Sequence[str | Path], height: float = 40) -> None:
        """Pictures side by side, as many as fit on a line, wrapping to the next."""
        x = self.l_margin
        if self.will_page_break(height + 2):
            self.add_page()
        y = self.get_y()
        for path in paths:
            info = self.image(str(path), x=x, y=y, h=height)
            x += float(info.rendered_width) + 3
            if x + height > self.l_margin + self.epw:
                x = self.l_margin
                y += height + 3
                if y + height > self.h - self.b_margin:
                    self.add_page()
                    y = self.get_y()
        self.set_xy(self.l_margin, y + (height + 3 if x > self.l_margin else 0))

    def bar_chart(self, items: Sequence[tuple[str, float]], label_width: float = 60) -> None:
        """Horizontal bars, one line per (label, value), scaled to the largest value, the value
        printed after its bar."""
        largest = max((value for _name, value in items), default=0) or 1
        self.ln(2)
        for name, value in items:
            if self.will_page_break(6):
                self.add_page()
            y = self.get_y()
            self.font(8)
            self.set_text_color(*INK)
            self.cell(label_width, 5, self.fit(name, label_width - 2))
            bar = (self.epw - label_width - 20) * value / largest
            self.set_fill_color(*ACCENT)
            if bar > 0:
                self.rect(self.l_margin + label_width, y + 1, bar, 3.5, style="F")
            self.set_xy(self.l_margin + label_width + 2 + bar, y)
            self.cell(18, 5, number(value), new_x="LMARGIN", new_y="NEXT")

    def fit(self, text: str, width: float) -> str:
        """The text cut with an ellipsis to fit `width` mm in the current font."""
        text = clean(text)
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def output_bytes(self) -> bytes:
        return bytes(self.output())
