"""The cache stores pickles of these records. Unpickling an entry written when a record
had other fields gives an object with missing or wrong fields (a kept page without its
CSV lines once wrote a header-only team.csv), so a change of shape must change every key:
bump ``cache._FORMAT`` and update ``SHAPES`` here together."""

from __future__ import annotations

import dataclasses

from routine_audit import cache
from routine_audit.coverage import Coverage, Extent
from routine_audit.engine.kept_findings import (
    BrokenLimits,
    DisplacedBlocks,
    EvidenceGroups,
    FindingParts,
    OccurrenceMoments,
)
from routine_audit.inputs import InputFile, Inputs
from routine_audit.model import Attendee, CalendarData, Event, Problem
from routine_audit.period import Period
from routine_audit.report.stories import Story
from routine_audit.report.view import (
    Block,
    CommitmentView,
    DailyView,
    FindingView,
    OccurrenceView,
    RepReport,
    TrendPoint,
)
from routine_audit.result import AuditResult, Evidence, Finding, HealthFigures, RepInfo
from routine_audit.team.weekly import RepPages

STORED = [
    AuditResult, Finding, Evidence, HealthFigures, RepInfo, Event, Attendee, Problem,
    CalendarData, Period, RepReport, CommitmentView, DailyView, FindingView, OccurrenceView,
    Block, TrendPoint, RepPages, DisplacedBlocks, BrokenLimits, EvidenceGroups, FindingParts,
    OccurrenceMoments, Inputs, InputFile, Coverage, Extent, Story,
]  # fmt: skip
FORMAT = 18  # 15: stories; 16: reactive activities; 17: events' source ids; 18: pages by format
SHAPES = {
    "AuditResult": "rep period occurrences daily commitments commitment_days finding_list health "
    "problems notes coverage inputs displacements finding_count commitment_records",
    "Finding": "kind commitment day detail evidence obstacles [slots]",
    "Evidence": "occ start end activity seconds [slots]",
    "HealthFigures": "working_seconds booked_seconds other_seconds unclassified_share "
    "reactive_meetings meetings_with_created reactive_share fragmented_days reactive_activities",
    "RepInfo": "email name timezone share_titles",
    "Event": "uid start end all_day summary description location calendar color status "
    "transparent visibility details_hidden event_type organizer organized_by_self attendees "
    "recurrence_id created source source_id series_id [slots]",
    "Attendee": "email response is_self is_resource [slots]",
    "Problem": "source message uid line skipped detail title start private event [slots]",
    "CalendarData": "events problems sources extent free_busy",
    "Period": "first last tz",
    "RepReport": "rep audience period commitments daily findings health occurrences "
    "data_quality notes titles_shown incomplete trend coverage inputs stories",
    "CommitmentView": "id activity description unit per direction protected target scheduled "
    "gap adherence blocks short_blocks outside_window_hours committed_days judged",
    "DailyView": "date activity hours target_hours",
    "FindingView": "kind commitment day detail evidence obstacles questions",
    "OccurrenceView": "start end hours counted_hours activity rule counted reason all_day "
    "title private displaced",
    "Block": "start end activity title seconds",
    "TrendPoint": "week commitment target scheduled adherence",
    "RepPages": "report formats trend",
    "DisplacedBlocks": "kind commitment what victims lost obstacles moments",
    "BrokenLimits": "limit what days events moments",
    "EvidenceGroups": "occs seconds bounds",
    "FindingParts": "[slots] parts",
    "OccurrenceMoments": "[slots] _columns _lists _local _tz",
    "Coverage": "status events_in_period first_event last_event note",
    "Extent": "recent first_start last_end next_start searched",
    "Inputs": "routine rules",
    "InputFile": "path digest",
    "Story": "commitment day kind head body findings evidence questions subject",
}


def test_stored_records_keep_their_shape_unless_the_cache_format_changes():
    shapes = {t.__name__: _shape(t) for t in STORED}
    assert (cache._FORMAT, shapes) == (FORMAT, SHAPES), (
        "a record the cache stores changed shape: bump cache._FORMAT, then update "
        "FORMAT and SHAPES in this test"
    )


def _shape(kind: type) -> str:
    if not dataclasses.is_dataclass(kind):  # a plain class with slots: what it keeps
        return " ".join(["[slots]", *kind.__slots__])
    # slots change how an object pickles, as much as its fields do
    return " ".join(f.name for f in dataclasses.fields(kind)) + (
        " [slots]" if "__slots__" in vars(kind) else ""
    )
