"""CSV cells that a spreadsheet will not run as formulas (CSV injection), and that no
line break inside a cell can split."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

# a cell (or a line inside one) starting with one of these may be read as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def neutralize(value: object) -> object:
    """Prefix a single quote to a text cell, and to each line within it, that would start
    a formula. Numbers are left alone, so a negative amount stays a number."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    if "\n" not in value and "\r" not in value:
        return value
    parts = _LINE_BREAK.split(value)
    for index in range(2, len(parts), 2):  # the text after each line break
        if parts[index].startswith(FORMULA_START):
            parts[index] = "'" + parts[index]
    return "".join(parts)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document with ``\\n`` line endings and every text cell neutralized."""
    return write_rows([header]) + write_rows(rows)


def write_rows(rows: Iterable[Sequence[object]]) -> str:
    """CSV lines (no header), every text cell neutralized.

    Rows end in ``\\n``; a cell holding a CR or LF is quoted (the csv module quotes only
    the characters of its line terminator, so it writes rows ending in CRLF here and
    each row's CRLF becomes LF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = []
    for row in rows:
        writer.writerow([neutralize(cell) for cell in row])
        lines.append(buffer.getvalue()[:-2] + "\n")
        buffer.seek(0)
        buffer.truncate()
    return "".join(lines)
