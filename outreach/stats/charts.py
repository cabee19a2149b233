"""Charts of the statistics tables, drawn on the server as SVG by pygal.

A chart goes into the page as an <img> with a data: address: an image runs no script and is
outside the page's style rules, so the strict Content-Security-Policy holds, and it prints as
drawn. The table beside each chart carries the same figures for screen readers.
"""

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

import pygal
from pygal.style import Style

from outreach.stats.tables import StatTable

#: Colours with at least 3:1 contrast against white, told apart by more than hue alone.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#4f5963",
    colors=("#0b5394", "#a4161a", "#1d6b35", "#8a4b00", "#5b2a86"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    # drawn 760 wide and shown a little smaller on a tablet: still read at arm's length
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=16,
    title_font_size=18,
    value_font_size=15,
)

KINDS = {"bar": pygal.Bar, "hbar": pygal.HorizontalBar, "line": pygal.Line}
WIDTH = 760
#: The height of a vertical bar or line chart (without its legend).
HEIGHT = 360
#: A horizontal bar chart's room for its axis and margins, for each line of the legend, for each
#: row's gap and for each bar: as tall as its bars need, so three bars make a short chart and
#: fifteen kommuner a tall one, each bar room for its printed value.
_HBAR_FRAME, _LEGEND_LINE, _HBAR_ROW, _HBAR = 70, 26, 14, 26


@dataclass(frozen=True)
class Drawn:
    """A chart ready for an <img>: its data: address and its size."""

    src: str
    width: int
    height: int


def height(table: StatTable) -> int:
    """A horizontal bar chart is as tall as its bars need (a page of short ones stays short on
    a tablet); other charts take the full height. Each has room for its legend below."""
    series = len(table.headers) - 1
    legend = _LEGEND_LINE * series if series > 1 else 0
    if table.chart != "hbar":
        return HEIGHT + legend
    return _HBAR_FRAME + legend + len(table.rows) * (_HBAR_ROW + _HBAR * series)


def _number(value):
    """Hidden small counts are left out of a chart (the bar would tell the number)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def svg(table: StatTable, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The table drawn as a chart: one series per number column."""
    chart = KINDS[table.chart](
        style=STYLE,
        width=width,
        height=height,
        js=[],  # no tooltip script: the chart is an image
        disable_xml_declaration=False,
        show_legend=len(table.headers) > 2,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,  # a heading a line, whole: at 16 px two columns cut it
        truncate_legend=-1,
        print_values=table.chart != "line",
        print_zeroes=False,
        x_label_rotation=0 if len(table.rows) <= 8 or table.chart == "hbar" else 45,
        show_minor_x_labels=len(table.rows) <= 20,
        truncate_label=30,
        min_scale=1,
        max_scale=6,
        margin=12,
    )
    # pygal draws horizontal bars from the bottom up: reversed, they read like the table
    rows = table.rows[::-1] if table.chart == "hbar" else table.rows
    chart.x_labels = [str(row[0]) for row in rows]
    if len(rows) > 20:
        chart.x_labels_major_every = 4
    for column, heading in enumerate(table.headers[1:], start=1):
        chart.add(heading, [_number(row[column]) for row in rows])
    return chart.render()


def drawn(table: StatTable) -> Drawn:
    """The chart as a data: address for an <img>: percent-encoded rather than base64, so the
    compressed page stays small (the charts' shared styles compress away).

    Drawing takes pygal ~10 ms a chart, so drawn charts are kept by what they show (kind,
    headings and every figure, in the reader's language): the same figures give the same
    picture, and a new contact changes a figure and so the key."""
    return _drawn(table.chart, tuple(table.headers), tuple(tuple(row) for row in table.rows))


@lru_cache(maxsize=512)
def _drawn(chart: str, headers: tuple, rows: tuple) -> Drawn:
    table = StatTable("chart", "", list(headers), [list(row) for row in rows], chart=chart)
    tall = height(table)
    drawing = svg(table, height=tall).decode()
    return Drawn("data:image/svg+xml;charset=utf-8," + quote(drawing, safe="=:/;,'()"), WIDTH, tall)
