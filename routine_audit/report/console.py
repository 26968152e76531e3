"""The rich console and table style shared by the terminal renderers."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import RenderOptions


def make_console(options: RenderOptions) -> Console:
    """A recording console: ANSI colours only when ``options.color``."""
    return Console(
        record=True,
        file=io.StringIO(),
        width=options.width,
        force_terminal=options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )


def plain_table(*columns: str, right: Sequence[str] = (), title: str | None = None) -> Table:
    """A light table that reads well without colour; ``right`` columns are right-aligned."""
    table = Table(
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
        pad_edge=False,
        show_edge=False,
        title=Text(title, style="bold") if title else None,
        title_justify="left",
        min_width=len(title) if title else None,  # a title wraps at the table's width
    )
    for index, name in enumerate(columns):
        # the first column names the row: keep it on one line; never cut any text short
        justify = "right" if name in right else "left"
        table.add_column(name, justify=justify, no_wrap=index == 0, overflow="fold")
    return table


def export(console: Console, options: RenderOptions) -> str:
    """The recorded text, without the padding rich leaves at the end of lines."""
    text = console.export_text(styles=options.color)
    return "".join(line.rstrip() + "\n" for line in text.splitlines())
