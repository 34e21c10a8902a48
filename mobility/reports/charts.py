"""Server-side SVG bar charts: no JavaScript, printable, each with a text alternative.

A chart is decorative-plus: it carries `role="img"` with a title and a description listing the
values, and the page shows the same figures in a table next to it.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 230
BAR_AREA = 330
VALUE_WIDTH = 60
#: dark enough on white for a 3:1 non-text contrast (WCAG 1.4.11)
BAR_COLOUR = "#1f5f8b"


def bar_chart(chart_id: str, title: str, items: list[tuple[str, float]]) -> Markup:
    """A horizontal bar chart of `(label, value)` items as inline SVG."""
    items = [(str(name), float(value or 0)) for name, value in items]
    largest = max((value for _name, value in items), default=0) or 1
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    height = max(1, len(items)) * (BAR_HEIGHT + GAP) + GAP
    description = "; ".join(f"{name}: {_fmt(value)}" for name, value in items)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{escape(chart_id)}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    for index, (name, value) in enumerate(items):
        y = GAP + index * (BAR_HEIGHT + GAP)
        bar = 0 if value <= 0 else max(2, round(BAR_AREA * value / largest))
        shown = name if len(name) <= 34 else name[:33] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.0f}" text-anchor="end" '
            f'font-size="13" fill="#1a1a1a">{escape(shown)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + BAR_HEIGHT * 0.7:.0f}" font-size="13" '
            f'fill="#1a1a1a">{escape(_fmt(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")
