"""Table rows written fast, and exactly as :func:`~renaksi.reports.styles.write_cell` writes
each cell: how a column's cells are written is decided once per column (:class:`RowWriter`),
and the lines wrapped text needs are counted per column with polars (:func:`column_lines`).

Cells written one by one through generic wrappers, with ``textwrap`` sizing every row, made
the budget-gap export 2.4x a bare write of its cells; now most of it is xlsxwriter's own work
(``docs/benchmarks.md``, "The budget-gap workbook").
"""

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from renaksi.reports.styles import (
    LINE_POINTS,
    TEXT_KINDS,
    Column,
    Kind,
    Styles,
    text_lines,
    write_cell,
)


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
        # lines counted for the whole frame at once: per slice, polars' fixed cost per call
        # made it 3x slower, for no memory saved
        lines = self.frame_lines(frame) if self._wraps else pl.repeat(1, frame.height, eager=True)
        row = first_row - 1
        for start in range(0, frame.height, SLICE_ROWS):
            part = frame.slice(start, SLICE_ROWS)
            counts = lines.slice(start, SLICE_ROWS).to_list()
            for values, count in zip(part.rows(), counts, strict=True):
                row += 1
                self.write(row, values if len(values) == width else values[:width], lines=count)
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
