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
* **Rows are written by a** :class:`RowWriter`, which decides per column, once, how cells are
  written and calls xlsxwriter's undecorated writers: a 100k-row sheet is written about as
  fast as bare ``write_row`` calls without formats (``bench/budget_gap.py``).
"""

import datetime as dt
import gc
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal
from zoneinfo import ZoneInfo

import polars as pl
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


def fit_row(sheet: Any, row: int, values: Sequence[Any], columns: Sequence[Column]) -> None:
    """Set the row height to show wrapped text whole. Excel and LibreOffice do not grow rows
    of a generated file on their own; call before writing the row (constant memory)."""
    wraps = [(i, c.width) for i, c in enumerate(columns) if c.kind == "wrap"]
    lines = _row_lines(values, wraps)
    if lines > 1:
        sheet.set_row(row, LINE_POINTS * lines + 2)


def _row_lines(values: Sequence[Any], wraps: Sequence[tuple[int, float]]) -> int:
    lines = 1
    for i, width in wraps:
        if i < len(values) and values[i]:
            lines = max(lines, text_lines(str(values[i]), width))
    return lines


Writer = Callable[[int, int, Any, Any], Any]


#: rows of a frame turned into Python values at a time: a sheet never holds all its cells
SLICE_ROWS = 10_000


class RowWriter:
    """Writes table rows into one sheet exactly as :func:`write_cell` writes each cell, fast.

    How a column's cells are written is decided once here, not per cell: strings in text
    columns and integers in number columns go straight to xlsxwriter's undecorated
    ``_write_string`` / ``_write_number`` (what ``write_string`` / ``write_number`` call after
    turning ``"A1"`` arguments into numbers), or to the public methods should a later
    xlsxwriter drop them; everything else (empty values, floats, dates) through
    :func:`write_cell`. With ``fit`` a row grows to show its wrapped text whole
    (:func:`fit_row`); pass ``fit=False`` when the caller sized the row already, e.g. a row
    written in parts. :meth:`write_frame` writes a polars frame, counting wrapped lines per
    distinct text rather than per cell.
    """

    def __init__(
        self,
        sheet: Any,
        columns: Sequence[Column],
        styles: Styles,
        *,
        total: bool = False,
        start_col: int = 0,
        fit: bool = True,
    ) -> None:
        self.sheet = sheet
        self.styles = styles
        #: xlsxwriter's write_string without the "A1" conversion: (row, col, text, format)
        self.write_string: Writer = getattr(sheet, "_write_string", sheet.write_string)
        number: Writer = getattr(sheet, "_write_number", sheet.write_number)
        self._cells: list[tuple[int, type | None, Writer, Any, Kind]] = []
        for i, c in enumerate(columns):
            fast: tuple[type | None, Writer] = (None, number)
            if c.kind in TEXT_KINDS:
                fast = (str, self.write_string)
            elif c.kind not in ("date", "datetime"):
                fast = (int, number)
            self._cells.append((start_col + i, *fast, styles.cell(c.kind, total=total), c.kind))
        self._wraps = (
            [(i, c.width) for i, c in enumerate(columns) if c.kind == "wrap"] if fit else []
        )

    def write(self, row: int, values: Sequence[Any], *, lines: int | None = None) -> None:
        """Write one row; ``lines``: the wrapped lines it needs, when counted already."""
        if len(values) != len(self._cells):
            raise ValueError(f"{len(values)} values for {len(self._cells)} columns")
        if lines is None and self._wraps:
            lines = _row_lines(values, self._wraps)
        if lines is not None and lines > 1:
            self.sheet.set_row(row, LINE_POINTS * lines + 2)
        sheet, styles = self.sheet, self.styles
        for value, (col, cls, method, fmt, kind) in zip(values, self._cells, strict=True):
            if value.__class__ is cls:
                method(row, col, value, fmt)
            else:
                write_cell(sheet, row, col, value, kind, styles, fmt=fmt)

    def write_rows(self, first_row: int, rows: Iterable[Sequence[Any]]) -> int:
        """Write ``rows`` from ``first_row`` down; returns the last row written
        (``first_row - 1`` when there was none)."""
        row = first_row - 1
        for row, values in enumerate(rows, start=first_row):
            self.write(row, values)
        return row

    def frame_lines(self, frame: pl.DataFrame) -> pl.Series:
        """The wrapped lines each row of ``frame`` needs (see :meth:`write_frame`)."""
        counts = [pl.Series("fits", [1] * frame.height, dtype=pl.Int64())]
        for i, width in self._wraps:
            column = frame.to_series(i)
            if column.dtype == pl.String():
                counts.append(column_lines(column, width).rename(f"c{i}"))
            else:
                lines = [_row_lines([v], [(0, width)]) for v in column]
                counts.append(pl.Series(f"c{i}", lines, dtype=pl.Int64()))
        return pl.DataFrame(counts).max_horizontal()

    def write_frame(
        self,
        first_row: int,
        frame: pl.DataFrame,
        then: Callable[[int, tuple[Any, ...]], None] | None = None,
    ) -> int:
        """Write the rows of ``frame`` from ``first_row`` down, its first columns in this
        writer's columns; ``then(row, values)`` writes what else a row holds (cells to the
        right, in order). Returns the last row written (``first_row - 1`` when none)."""
        width = len(self._cells)
        row = first_row - 1
        for part in frame.iter_slices(SLICE_ROWS):
            counts = self.frame_lines(part).to_list() if self._wraps else [1] * part.height
            for values, lines in zip(part.rows(), counts, strict=True):
                row += 1
                self.write(row, values if len(values) == width else values[:width], lines=lines)
                if then is not None:
                    then(row, values)
        return row


#: a character of a plain word (see ``_PLAIN``) in polars' regex dialect, whose ``\s`` lacks
#: the separators ``\x1c-\x1f`` that Python counts as whitespace
_WORD = r"[^\s\x1c-\x1f-]"


def column_lines(texts: pl.Series, width: float) -> pl.Series:
    """:func:`text_lines` of every text in ``texts`` (1 for null and empty), vectorised.

    Plain text (``_PLAIN``, no word longer than a line) is filled greedily by one regex whose
    every match is a line: the longest run of at most a line's characters that starts a word
    and ends before a space or at the end. Other texts are counted by :func:`text_lines`, once
    per distinct text.
    """
    chars = max(int(width * 1.15), 1)
    fits = (texts.str.len_chars() <= chars) & ~texts.str.contains(r"[\t\n]")
    plain = texts.str.contains(f"^{_WORD}+(?: {_WORD}+)*$") & ~texts.str.contains(
        f"{_WORD}{{{chars + 1}}}"
    )
    easy = (fits | plain).fill_null(True)
    counts = {text: text_lines(text, width) for text in texts.filter(~easy).unique()}
    return pl.select(
        pl.when(fits.fill_null(True))
        .then(1)
        .when(plain)
        .then(texts.str.count_matches(f"[^ ].{{0,{chars - 1}}}(?: |$)"))
        .otherwise(texts.replace_strict(counts, default=1, return_dtype=pl.Int64()))
        .cast(pl.Int64())
        .alias("lines")
    ).to_series()


def write_row(
    sheet: Any,
    row: int,
    values: Sequence[Any],
    columns: Sequence[Column],
    styles: Styles,
    *,
    total: bool = False,
    start_col: int = 0,
    fit: bool = True,
) -> None:
    """Write one table row (see :class:`RowWriter`; use one for many rows)."""
    RowWriter(sheet, columns, styles, total=total, start_col=start_col, fit=fit).write(row, values)


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
