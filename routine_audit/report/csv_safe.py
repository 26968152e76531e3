"""CSV cells that a spreadsheet will not run as formulas (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# a cell starting with one of these may be read as a formula by spreadsheets
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    """Prefix a text cell that would start a formula with a single quote.

    Numbers are left alone, so a negative amount stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document with ``\\n`` line endings and every text cell neutralized."""
    return write_rows([header]) + write_rows(rows)


def write_rows(rows: Iterable[Sequence[object]]) -> str:
    """CSV lines (no header), every text cell neutralized."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([neutralize(cell) for cell in row] for row in rows)
    return buffer.getvalue()
