"""Workbook plumbing shared by the report builders.

* **Safe options.** Strings are never turned into formulas, URLs or numbers, and every piece of
  user text goes through :func:`write_cell` → ``write_string`` in a format carrying the quote
  prefix, so an action titled ``=1+1`` (or starting with ``+``, ``-``, ``@``, tab, CR) is the
  text ``=1+1`` — also after someone edits the cell in Excel and presses Enter.
* **Constant memory.** Rows go to a temporary file as they are written, so a province-sized plan
  does not exhaust memory. The price: a sheet is written top to bottom, one row after the
  other (a cell written above the current row is silently dropped). Charts, conditional
  formats, autofilters and print setup are not cells and may be added at any time.
* **Formats are created once per workbook** (:class:`Styles`), never per cell.
* **Table rows** are written by :mod:`renaksi.reports.rows`, cell by cell as :func:`write_cell`
  writes them, with the cell kinds decided once per column.
"""

import datetime as dt
import gc
import math
import re
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal
from zoneinfo import ZoneInfo

import xlsxwriter

WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "constant_memory": True,
}
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WITA = ZoneInfo("Asia/Makassar")
MONEY = '"Rp" #,##0'
PERCENT = "0.0%"
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"

Kind = Literal[
    "text", "wrap", "money", "count", "pct", "number", "year", "decimal", "date", "datetime"
]
TEXT_KINDS = frozenset({"text", "wrap"})
_KIND_FORMATS: dict[str, dict[str, Any]] = {
    "text": {"quote_prefix": True},
    "wrap": {"quote_prefix": True, "text_wrap": True},
    "money": {"num_format": MONEY},
    "count": {"num_format": "#,##0"},
    "pct": {"num_format": PERCENT},
    "number": {"num_format": "General"},
    "year": {"num_format": "0", "align": "left"},
    "decimal": {"num_format": "#,##0.0"},
    "date": {"num_format": DATE, "align": "left"},
    "datetime": {"num_format": DATETIME, "align": "left"},
}
#: name → (fill, font): the usual Excel "good / neutral / bad" palette, readable in grey print
COLOURS = {
    "green": ("#C6EFCE", "#006100"),
    "yellow": ("#FFEB9C", "#9C5700"),
    "red": ("#FFC7CE", "#9C0006"),
    "blue": ("#DDEBF7", "#1F4E78"),
    "grey": ("#EDEDED", "#595959"),
    "alarm": ("#C00000", "#FFFFFF"),
}


@dataclass(frozen=True)
class Column:
    """One column of a table sheet: header text, width in characters, how cells are written."""

    header: str
    width: float
    kind: Kind = "text"


class Styles:
    """Every format a report uses, created once for its workbook."""

    def __init__(self, book: Any) -> None:
        base = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
        self.header = book.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#1F4E78",
                "font_color": "#FFFFFF",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        self.title = book.add_format({**base, "bold": True, "font_size": 14})
        self.subtitle = book.add_format({**base, "bold": True, "font_size": 11})
        self.label = book.add_format({**base, "bold": True, "quote_prefix": True})
        self.signature_name = book.add_format(
            {**base, "bold": True, "underline": 1, "quote_prefix": True}
        )
        self._cells: dict[tuple[str, bool], Any] = {}
        total = {"bold": True, "top": 1, "bottom": 6, "bg_color": "#F2F2F2"}
        for kind, props in _KIND_FORMATS.items():
            self._cells[(kind, False)] = book.add_format({**base, **props})
            self._cells[(kind, True)] = book.add_format({**base, **props, **total})
        #: coloured text cells (matrix statuses, progress statuses, legends)
        self.fills = {
            name: book.add_format(
                {
                    **base,
                    "bg_color": fill,
                    "font_color": font,
                    "border": 1,
                    "border_color": "#BFBFBF",
                    "quote_prefix": True,
                }
            )
            for name, (fill, font) in COLOURS.items()
        }
        #: the same colours as differential formats, for conditional formatting
        self.highlights = {
            name: book.add_format({"bg_color": fill, "font_color": font})
            for name, (fill, font) in COLOURS.items()
        }
        self.highlights["alarm"] = book.add_format(
            {"bg_color": COLOURS["alarm"][0], "font_color": COLOURS["alarm"][1], "bold": True}
        )

    def cell(self, kind: Kind, *, total: bool = False) -> Any:
        return self._cells[(kind, total)]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a big workbook is written.

    xlsxwriter makes a few small objects per cell and keeps a record per sized row until the
    workbook closes; none of them form cycles, but their number sets the collector off again
    and again, each full pass walking every object of the process: 1–2 s of a 20 s export of
    100k action-years (``bench/budget_gap.py``). Objects are still freed as soon as they are
    unused (reference counting); only cyclic garbage waits for the collector to be back on.
    The switch is process-wide: cycles made by concurrent requests wait as well, for as long
    as the export takes. Restores the collector only if it was on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def open_workbook(target: Path | IO[bytes], *, title: str, subject: str, now: dt.datetime) -> Any:
    """A workbook with the safe options; document properties carry the generation time."""
    book = xlsxwriter.Workbook(target, dict(WORKBOOK_OPTIONS))
    book.set_properties(
        {
            "title": title,
            "subject": subject,
            "author": "renaksi",
            "created": local_naive(now),
            "comments": "Dibuat dengan renaksi",
        }
    )
    return book


def local_naive(moment: dt.datetime) -> dt.datetime:
    """Excel has no time zones: moments are shown in WITA, the users' local time."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(WITA).replace(tzinfo=None)


def write_cell(
    sheet: Any,
    row: int,
    col: int,
    value: Any,
    kind: Kind,
    styles: Styles,
    *,
    total: bool = False,
    fmt: Any = None,
) -> None:
    """Write one cell by kind. Text is always text; an empty value leaves a formatted blank."""
    fmt = fmt if fmt is not None else styles.cell(kind, total=total)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        sheet.write_blank(row, col, None, fmt)
    elif kind in TEXT_KINDS:
        sheet.write_string(row, col, str(value), fmt)
    elif kind in ("date", "datetime"):
        if isinstance(value, dt.datetime):
            value = local_naive(value)
        sheet.write_datetime(row, col, value, fmt)
    else:
        sheet.write_number(row, col, value, fmt)


LINE_POINTS = 13.0
#: text :func:`textwrap.wrap` can only break at its single spaces: words without hyphens or
#: any whitespace (textwrap drops words that ``str.strip`` empties), one space apart
_PLAIN = re.compile(r"[^\s-]+(?: [^\s-]+)*")


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped cell of ``width`` characters needs (10-point Calibri, a little slack):
    as many as :func:`textwrap.wrap` makes of each line of ``text``, at least one each."""
    chars = max(int(width * 1.15), 1)
    if len(text) <= chars and "\t" not in text and "\n" not in text:
        return 1  # the common case, without splitting anything
    return sum(_part_lines(part, chars) for part in text.split("\n"))


def _part_lines(part: str, chars: int) -> int:
    if len(part) <= chars and "\t" not in part:
        return 1
    if _PLAIN.fullmatch(part):
        # textwrap's greedy filling of a plain text, without its chunking regex (16x faster);
        # a word longer than a line is cut by textwrap, left to it below
        lines, used = 1, -1
        for word in part.split(" "):
            size = len(word)
            if size > chars:
                break
            if used < 0:
                used = size
            elif used + 1 + size <= chars:
                used += 1 + size
            else:
                lines, used = lines + 1, size
        else:
            return lines
    return max(len(textwrap.wrap(part, chars)), 1)


def header_text(text: str) -> str:
    """Text for a print header/footer: ``&`` starts a code there, and Excel stops at 255."""
    return text.replace("&", "&&")[:120]


def print_setup(
    sheet: Any, *, title: str, note: str = "", repeat_row: int | None = None, portrait: bool = False
) -> None:
    """A4, landscape, fit to one page wide, title on top, page numbers at the bottom."""
    if not portrait:
        sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    sheet.set_header(f"&L&B{header_text(title)}&R{header_text(note)}")
    sheet.set_footer("&LDibuat dengan renaksi&CHalaman &P dari &N&R&A")
    if repeat_row is not None:
        sheet.repeat_rows(repeat_row)


def table_sheet(
    book: Any,
    styles: Styles,
    name: str,
    columns: Sequence[Column],
    *,
    title: str,
    note: str = "",
    header_row: int = 0,
    freeze_cols: int = 0,
) -> Any:
    """A sheet whose table header sits on ``header_row``: widths, header, frozen panes, print.

    Rows above ``header_row`` must be written by the caller *before* calling this.
    """
    sheet = book.add_worksheet(name)
    for c, column in enumerate(columns):
        sheet.set_column(c, c, column.width)
    lines = max(text_lines(c.header, c.width * 0.9) for c in columns)  # bold is wider
    sheet.set_row(header_row, max(2, lines) * LINE_POINTS + 4)
    for c, column in enumerate(columns):
        sheet.write_string(header_row, c, column.header, styles.header)
    sheet.freeze_panes(header_row + 1, freeze_cols)
    print_setup(sheet, title=title, note=note, repeat_row=header_row)
    return sheet


def autofilter(sheet: Any, header_row: int, last_row: int, columns: Sequence[Column]) -> None:
    sheet.autofilter(header_row, 0, max(last_row, header_row), len(columns) - 1)


def safe_filename(*parts: str | int | dt.date, suffix: str = ".xlsx") -> str:
    """``selisih-anggaran-2025-per-2025-12-31.xlsx``: lower case, ``a-z0-9.-`` only."""
    cleaned = []
    for part in parts:
        text = part.isoformat() if isinstance(part, dt.date) else str(part)
        text = re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")
        if text:
            cleaned.append(text)
    return "-".join(cleaned) + suffix
