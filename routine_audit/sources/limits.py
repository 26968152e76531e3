"""How much one read may take: the bounds every calendar source keeps.

They are far above any real calendar (a year-long export is about 1 MB and a
busy week a few hundred occurrences), so only broken or hostile input meets
them; what meets them is reported, never read without end.
"""

from __future__ import annotations

# bytes of one calendar file, stream (a FIFO, ``<(cmd)``) or feed
MAX_BYTES = 50 * 1024 * 1024
# occurrences of one rep in one period, over all of the rep's calendars
MAX_OCCURRENCES = 50_000
# candidate times one recurring series may examine in one read of a period
MAX_CANDIDATES = 100_000
# and all the series of one calendar together (some 10 s of CPU): many costly series,
# each under the limit above, must not add up to hours
MAX_READ_CANDIDATES = 1_000_000

# what a source says of a calendar over MAX_OCCURRENCES (a data-quality line, exit 1)
TOO_MANY = (
    f"not read: more than {MAX_OCCURRENCES:,} occurrences in or near the period "
    "(the most one rep's period may hold)"
)
# and what the coverage note says was searched: not "the calendar holds no events"
TOO_MANY_SEARCHED = f"nothing kept: a calendar holds more than {MAX_OCCURRENCES:,} occurrences"
