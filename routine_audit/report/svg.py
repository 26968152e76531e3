"""Inline SVG charts for the HTML report: small pure functions that return markup.

Every text that reaches the markup goes through ``markupsafe.escape``; numbers
are formatted here. The charts carry no ``xmlns`` (inline SVG in HTML needs
none) and reference nothing outside themselves, so a page that embeds them
makes no request to any network. Colours come from fixed palettes, so the
same activity has the same colour in every report.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from ..finding_kinds import MARKS

# -- colours -----------------------------------------------------------------

# the activities of the default rules; red is kept for marking problems
ACTIVITY_COLOURS: dict[str, str] = {
    "prospecting": "#4E79A7",
    "follow-up": "#59A14F",
    "client-meeting": "#F28E2B",
    "admin": "#B07AA1",
    "personal": "#76B7B2",
    "other": "#BAB0AC",
}
# any other activity: picked from these by a stable hash of its name
EXTRA_COLOURS: tuple[str, ...] = (
    "#EDC948",
    "#9C755F",
    "#FF9DA7",
    "#8CD17D",
    "#86BCB6",
    "#A0CBE8",
    "#D4A6C8",
    "#F1CE63",
    "#499894",
    "#D7B5A6",
)
STATUS_COLOURS: dict[str, str] = {"met": "#2E7D32", "short": "#C62828", "over": "#D84315"}
MARK_COLOUR = "#B71C1C"
INK = "#1F2328"
MUTED = "#6E7781"
GRID = "#D0D7DE"

# adherence bands: (lowest adherence, band name), best first
ADHERENCE_BANDS: tuple[tuple[float, str], ...] = (
    (0.95, "good"),
    (0.75, "fair"),
    (0.5, "poor"),
    (0.0, "bad"),
)
BAND_COLOURS: dict[str, str] = {
    "good": "#2E7D32",
    "fair": "#B8860B",
    "poor": "#D84315",
    "bad": "#C62828",
    "none": MUTED,
}


def activity_colour(activity: str) -> str:
    """The activity's fixed colour (``#RRGGBB``), the same in every report."""
    if activity in ACTIVITY_COLOURS:
        return ACTIVITY_COLOURS[activity]
    return EXTRA_COLOURS[zlib.crc32(activity.encode()) % len(EXTRA_COLOURS)]


def adherence_band(adherence: float | None) -> str:
    """``good``, ``fair``, ``poor``, ``bad``, or ``none`` when there is no figure."""
    if adherence is None:
        return "none"
    return next((band for low, band in ADHERENCE_BANDS if adherence >= low), "bad")


def text_colour(background: str) -> str:
    """Dark or white text, whichever reads better on ``background`` (``#RRGGBB``)."""
    red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return INK if luminance > 0.5 else "#FFFFFF"


def swatch(colour: str, *, size: int = 12, hatched: bool = False, outline: str = "") -> Markup:
    """A small square of ``colour`` for legends (SVG fills print without backgrounds)."""
    stroke = f' stroke="{escape(outline)}" stroke-width="2"' if outline else ""
    stripes = ""
    if hatched:
        stripes = "".join(
            f'<line x1="{x}" y1="{size}" x2="{x + size}" y2="0" stroke="{MARK_COLOUR}" '
            'stroke-width="1.5"/>'
            for x in range(-size, size, 4)
        )
    return Markup(
        f'<svg class="swatch" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        f'aria-hidden="true"><rect x="1" y="1" width="{size - 2}" height="{size - 2}" '
        f'fill="{escape(colour)}"{stroke}/>{stripes}</svg>'
    )


# -- the week calendar ---------------------------------------------------------


@dataclass(frozen=True)
class CalendarItem:
    """One piece of an event on one day of the calendar (minutes from local midnight)."""

    day: int  # column
    start: int
    end: int
    colour: str
    text: str  # short text drawn in the block
    tooltip: str  # the block's <title>
    faint: bool = False  # not counted: drawn as a dashed outline
    marks: frozenset[str] = field(default_factory=frozenset)  # see MARK_STYLES
    activity: str = ""
    proposed: bool = False  # a proposed slot (issue 21): drawn dashed, like a faint block


@dataclass(frozen=True)
class AllDayItem:
    day: int
    last_day: int  # inclusive column
    text: str
    tooltip: str
    colour: str
    faint: bool = False


# displaced blocks are hatched; what displaced them and what broke a limit get a red outline
# (which finding kind marks what: routine_audit/finding_kinds.py)
MARK_STYLES: dict[str, str] = MARKS

DEFAULT_HOURS = (8, 18)  # drawn even when empty: about the working day
FOLD_HOURS = 3  # at least this many empty hours outside it are folded away
FOLD_HEIGHT = 22
_WIDTH = 1000
_GUTTER = 46
_HEADER = 34
_ALL_DAY = 22


def visible_hours(
    items: Sequence[CalendarItem],
    default: tuple[int, int] = DEFAULT_HOURS,
    *,
    fold: int = FOLD_HOURS,
) -> list[tuple[int, int]]:
    """Runs of whole hours to draw, ``[(first, last), ...]``.

    The working day (``default``) and every hour a counted item touches are
    drawn; a run of at least ``fold`` empty hours between them is folded away,
    so one late flight does not stretch the whole week to 24 hours.
    """
    needed = set(range(*default))
    for item in items:
        if not item.faint:
            needed.update(range(item.start // 60, -(-item.end // 60)))
    needed = {h for h in needed if 0 <= h < 24}
    if not needed:
        return [default]
    runs: list[tuple[int, int]] = []
    for hour in sorted(needed):
        if runs and hour - runs[-1][1] < fold:
            runs[-1] = (runs[-1][0], hour + 1)
        else:
            runs.append((hour, hour + 1))
    return runs


@dataclass(frozen=True)
class _Rows:
    """Vertical placement: minutes of the day to y, across the drawn runs of hours."""

    runs: Sequence[tuple[int, int]]
    top: float
    hour_height: float

    def offsets(self) -> list[float]:
        """The y of each run's first hour."""
        ys, y = [], self.top
        for first, last in self.runs:
            ys.append(y)
            y += (last - first) * self.hour_height + FOLD_HEIGHT
        return ys

    @property
    def bottom(self) -> float:
        return self.offsets()[-1] + (self.runs[-1][1] - self.runs[-1][0]) * self.hour_height

    def y(self, run: int, minute: float) -> float:
        return self.offsets()[run] + (minute / 60 - self.runs[run][0]) * self.hour_height


def assign_lanes(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Side-by-side lanes for overlapping spans: ``(lane, lanes in its cluster)`` each."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1], i))
    result: list[tuple[int, int]] = [(0, 1)] * len(spans)
    cluster: list[int] = []
    lane_ends: list[int] = []
    cluster_end = -1

    def close() -> None:
        for index in cluster:
            result[index] = (result[index][0], len(lane_ends))

    for index in order:
        start, end = spans[index]
        if cluster and start >= cluster_end:
            close()
            cluster, lane_ends = [], []
        cluster_end = max(cluster_end, end) if cluster else end
        lane = next((n for n, lane_end in enumerate(lane_ends) if lane_end <= start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        result[index] = (lane, 0)
        cluster.append(index)
    close()
    return result


def week_calendar(
    days: Sequence[str],
    items: Sequence[CalendarItem],
    *,
    id_prefix: str,
    hours: Sequence[tuple[int, int]] | None = None,
    all_day: Sequence[AllDayItem] = (),
    shaded_days: Sequence[int] = (),
    title: str = "The week on the calendar",
) -> Markup:
    """Days as columns, hours as rows; one block per item, overlapping items side by side.

    ``days`` are the column headings; ``id_prefix`` keeps pattern ids unique when
    one page holds several calendars; ``shaded_days`` (weekends) get a grey ground;
    ``hours`` are the runs of hours to draw (default: ``visible_hours(items)``).
    """
    runs = list(hours or visible_hours(items))
    span = sum(last - first for first, last in runs)
    hour_height = 36 if span <= 12 else 28 if span <= 16 else 22
    rows = _Rows(runs, _HEADER + (_ALL_DAY if all_day else 0), hour_height)
    height = rows.bottom + 6
    day_width = (_WIDTH - _GUTTER) / max(len(days), 1)
    hatch = f"{escape(id_prefix)}-hatch"
    out = [
        f'<svg class="calendar" viewBox="0 0 {_WIDTH} {height:.0f}" width="100%" '
        f'role="img" aria-label="{escape(title)}" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)">'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{MARK_COLOUR}" stroke-width="2.2" '
        'stroke-opacity="0.75"/></pattern></defs>',
    ]
    for column in shaded_days:
        x = _GUTTER + column * day_width
        out.append(
            f'<rect x="{x:.1f}" y="{_HEADER}" width="{day_width:.1f}" '
            f'height="{height - _HEADER - 6:.1f}" fill="#F4F5F7"/>'
        )
    for run, (first, last) in enumerate(runs):
        for hour in range(first, last + 1):
            y = rows.y(run, hour * 60)
            out.append(
                f'<line x1="{_GUTTER}" y1="{y:.1f}" x2="{_WIDTH}" y2="{y:.1f}" stroke="{GRID}" '
                'stroke-width="0.8"/>'
            )
            out.append(
                f'<text x="{_GUTTER - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
                f"{hour:02d}:00</text>"
            )
        if run + 1 < len(runs):  # the folded hours between this run and the next
            y = rows.y(run, last * 60) + 3
            out.append(
                f'<rect class="fold" x="{_GUTTER}" y="{y:.1f}" width="{_WIDTH - _GUTTER}" '
                f'height="{FOLD_HEIGHT - 6}" fill="#FFFFFF" stroke="{GRID}" '
                'stroke-dasharray="4 3"/>'
                f'<text x="{(_WIDTH + _GUTTER) / 2:.0f}" y="{y + FOLD_HEIGHT / 2:.1f}" '
                f'text-anchor="middle" font-size="10" fill="{MUTED}">'
                f"{last:02d}:00–{runs[run + 1][0]:02d}:00 folded: nothing counted</text>"
            )
    for column, heading in enumerate(days):
        x = _GUTTER + column * day_width
        out.append(
            f'<line x1="{x:.1f}" y1="{_HEADER - 4}" x2="{x:.1f}" y2="{height - 6:.1f}" '
            f'stroke="{GRID}" stroke-width="0.8"/>'
        )
        out.append(
            f'<text x="{x + day_width / 2:.1f}" y="{_HEADER - 12}" text-anchor="middle" '
            f'font-weight="600" font-size="12" fill="{INK}">{escape(heading)}</text>'
        )
    out.append(
        f'<line x1="{_WIDTH - 0.5}" y1="{_HEADER - 4}" x2="{_WIDTH - 0.5}" '
        f'y2="{height - 6:.1f}" stroke="{GRID}" stroke-width="0.8"/>'
    )
    for item in all_day:
        out.append(_all_day_block(item, day_width))
    by_day: dict[int, list[CalendarItem]] = {}
    for item in items:
        by_day.setdefault(item.day, []).append(item)
    for column, day_items in sorted(by_day.items()):
        lanes = assign_lanes([(i.start, i.end) for i in day_items])
        # faint items first, so the counted blocks sit on top
        for item, (lane, count) in sorted(
            zip(day_items, lanes, strict=True), key=lambda pair: not pair[0].faint
        ):
            lane_width = (day_width - 4) / count
            x = _GUTTER + column * day_width + 2 + lane * lane_width
            for run, (first, last) in enumerate(runs):  # the parts in drawn hours
                start, end = max(item.start, first * 60), min(item.end, last * 60)
                if start < end:
                    y0, y1 = rows.y(run, start), rows.y(run, end)
                    out.append(_block(item, x, y0, lane_width - 1.5, y1 - y0 - 1, hatch))
    out.append("</svg>")
    return Markup("".join(out))


def _block(item: CalendarItem, x: float, y: float, width: float, height: float, hatch: str) -> str:
    width, height = max(width, 2.0), max(height, 2.0)
    classes = " ".join(
        [
            "block",
            *sorted(item.marks),
            *(["faint"] if item.faint else []),
            *(["proposed"] if item.proposed else []),
        ]
    )
    geometry = f'x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" rx="3"'
    colour = escape(item.colour)
    parts = [
        f'<g class="{classes}" data-activity="{escape(item.activity)}">',
        f"<title>{escape(item.tooltip)}</title>",
    ]
    if item.faint:
        parts.append(
            f'<rect {geometry} fill="{colour}" fill-opacity="0.12" stroke="{colour}" '
            'stroke-width="1" stroke-dasharray="3 2"/>'
        )
        ink = MUTED
    else:
        parts.append(f'<rect {geometry} fill="{colour}"/>')
        ink = text_colour(item.colour)
    if "displaced" in item.marks:
        parts.append(f'<rect {geometry} fill="url(#{hatch})"/>')
    if item.marks:
        dashed = ' stroke-dasharray="5 2"' if item.marks == {"displaced"} else ""
        inset = f'x="{x + 1:.1f}" y="{y + 1:.1f}" width="{width - 2:.1f}" height="{height - 2:.1f}"'
        parts.append(
            f'<rect {inset} rx="3" fill="none" stroke="{MARK_COLOUR}" stroke-width="2.2"{dashed}/>'
        )
    if height >= 13:
        chars = int((width - 6) / 6.1)
        label = _fit(item.text, chars)
        if label:
            style = ' font-style="italic"' if item.faint else ""
            parts.append(
                f'<text x="{x + 4:.1f}" y="{y + 11:.1f}" fill="{ink}"{style}>{escape(label)}</text>'
            )
    parts.append("</g>")
    return "".join(parts)


def _all_day_block(item: AllDayItem, day_width: float) -> str:
    x = _GUTTER + item.day * day_width + 2
    width = (item.last_day - item.day + 1) * day_width - 4
    colour = escape(item.colour)
    fill = (
        f'fill="{colour}" fill-opacity="0.12" stroke="{colour}" stroke-dasharray="3 2"'
        if item.faint
        else f'fill="{colour}" fill-opacity="0.35" stroke="{colour}"'
    )
    label = _fit(item.text, int((width - 6) / 6.1))
    return (
        f'<g class="all-day"><title>{escape(item.tooltip)}</title>'
        f'<rect x="{x:.1f}" y="{_HEADER}" width="{width:.1f}" height="{_ALL_DAY - 4}" rx="3" '
        f'{fill}/><text x="{x + 4:.1f}" y="{_HEADER + 13}" fill="{INK}">{escape(label)}</text></g>'
    )


def _fit(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters with an ellipsis; empty when nothing fits."""
    if chars < 2:
        return ""
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


# -- target vs scheduled -------------------------------------------------------

BAR_WIDTH = 260
BAR_HEIGHT = 18


def bar_scale(ratios: Sequence[float]) -> float:
    """A shared scale for a set of bars: at least 125% of target, at most 200%."""
    return min(max([1.25, *(r * 1.05 for r in ratios)]), 2.0)


def target_bar(ratio: float, status: str, *, scale: float, tooltip: str) -> Markup:
    """Scheduled as a share of target (``ratio``), with the target as a vertical line."""
    width, height = BAR_WIDTH, BAR_HEIGHT
    x_target = width * 1.0 / scale
    filled = width * min(max(ratio, 0.0), scale) / scale
    colour = STATUS_COLOURS.get(status, MUTED)
    parts = [
        f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(tooltip)}"><title>{escape(tooltip)}</title>',
        f'<rect x="0" y="3" width="{width}" height="{height - 6}" rx="2" fill="#EEF0F2"/>',
        f'<rect x="0" y="3" width="{x_target:.1f}" height="{height - 6}" rx="2" '
        f'fill="none" stroke="{GRID}"/>',
        f'<rect class="scheduled" x="0" y="3" width="{filled:.1f}" height="{height - 6}" rx="2" '
        f'fill="{colour}"/>',
    ]
    if ratio > scale:  # off the scale: an arrow at the end
        parts.append(
            f'<path d="M{width - 8} 3 L{width} {height / 2} L{width - 8} {height - 3} Z" '
            f'fill="{INK}"/>'
        )
    parts.append(
        f'<line class="target" x1="{x_target:.1f}" y1="0" x2="{x_target:.1f}" y2="{height}" '
        f'stroke="{INK}" stroke-width="2"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


# -- a rep's trend: weekly dots and the rolling line ------------------------------

SPARK_WIDTH = 170
SPARK_HEIGHT = 40


@dataclass(frozen=True)
class TrendWeek:
    """One calendar week of a trend chart: its adherence (None: no figure), its rolling
    adherence (None: none), and ``gap``: the week has no figure at all (no calendar data,
    or not recorded), drawn as a gap, never as 0%."""

    week: str
    adherence: float | None
    rolling: float | None
    gap: bool


def trend_chart(weeks: Sequence[TrendWeek], *, label: str, rolling_weeks: int) -> Markup:
    """Adherence (0..1) per calendar week as dots, the rolling adherence as a line broken
    at gaps, each gap week a hatched band; the 100% level is a dashed line."""
    if len(weeks) < 2:
        raise ValueError("a trend chart needs at least two weeks")
    width, height, pad = SPARK_WIDTH, SPARK_HEIGHT, 5
    step = (width - 2 * pad) / (len(weeks) - 1)

    def y(value: float) -> float:
        return pad + (1 - min(max(value, 0.0), 1.0)) * (height - 2 * pad)

    parts = [
        f'<svg class="sparkline trend-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>",
        f'<line x1="{pad}" y1="{y(1.0):.1f}" x2="{width - pad}" y2="{y(1.0):.1f}" '
        f'stroke="{GRID}" stroke-dasharray="3 2"/>',
        f'<line x1="{pad}" y1="{y(0.0):.1f}" x2="{width - pad}" y2="{y(0.0):.1f}" '
        f'stroke="{GRID}"/>',
    ]
    for index, week in enumerate(weeks):
        if week.gap:
            x = pad + index * step
            parts.append(
                f'<rect class="gap" x="{x - step / 2:.1f}" y="0" width="{step:.1f}" '
                f'height="{height}" fill="{GRID}" fill-opacity="0.45">'
                f"<title>{escape(week.week)}: no figure (no calendar data)</title></rect>"
            )
    run: list[str] = []
    for index, week in enumerate([*weeks, None]):
        if week is not None and week.rolling is not None:
            run.append(f"{pad + index * step:.1f},{y(week.rolling):.1f}")
            continue
        if len(run) > 1:
            parts.append(
                f'<polyline class="rolling" points="{" ".join(run)}" fill="none" '
                f'stroke="{INK}" stroke-width="1.6" stroke-linejoin="round">'
                f"<title>rolling {rolling_weeks}-week adherence</title></polyline>"
            )
        elif run:
            x, yy = run[0].split(",")
            parts.append(
                f'<line class="rolling" x1="{float(x) - 2:.1f}" y1="{yy}" x2="{float(x) + 2:.1f}" '
                f'y2="{yy}" stroke="{INK}" stroke-width="1.6"/>'
            )
        run = []
    for index, week in enumerate(weeks):
        if week.adherence is None:
            continue
        colour = BAND_COLOURS[adherence_band(week.adherence)]
        parts.append(
            f'<circle cx="{pad + index * step:.1f}" cy="{y(week.adherence):.1f}" r="3" '
            f'fill="{colour}"><title>{escape(week.week)}: {week.adherence:.0%}</title></circle>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# -- plan vs what survived -------------------------------------------------------


def plan_bar(
    planned: int, survived: int, added: int, colour: str, *, scale: int, tooltip: str
) -> Markup:
    """Planned → survived → added in one bar: the planned time as an outline, the part
    that survived filled in the activity's colour, the time added after the plan hatched
    beyond it. ``scale``: the seconds the whole width stands for."""
    width, height = BAR_WIDTH, BAR_HEIGHT
    unit = width / scale if scale > 0 else 0.0
    kept, plan, extra = survived * unit, planned * unit, added * unit
    return Markup(
        f'<svg class="bar plan-bar" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(tooltip)}">'
        f"<title>{escape(tooltip)}</title>"
        f'<rect x="0" y="3" width="{width}" height="{height - 6}" rx="2" fill="#EEF0F2"/>'
        f'<rect class="planned" x="0" y="3" width="{plan:.1f}" height="{height - 6}" rx="2" '
        f'fill="#FFFFFF" stroke="{INK}" stroke-dasharray="3 2"/>'
        f'<rect class="survived" x="0" y="3" width="{kept:.1f}" height="{height - 6}" rx="2" '
        f'fill="{colour}"/>'
        f'<rect class="added" x="{plan:.1f}" y="3" width="{extra:.1f}" height="{height - 6}" '
        f'rx="2" fill="{colour}" fill-opacity="0.45" stroke="{colour}"/>'
        "</svg>"
    )
