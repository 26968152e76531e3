"""Issue 15, section 2: protected_overlap reports any overlap of a protected block, also
when the protected block keeps its time.

Week 2026-W45, Europe/London. The gym (personal, protected, blocks) is due Tue and Thu
07:00-08:30; prospecting is a routine block too, so between the two the one that starts
first keeps the overlapped seconds (docs/audit.md, "Overlaps"). The finding's evidence is
the protected block with the seconds overlapped; its obstacles are the overlapping
events, each with its seconds of overlap, whoever kept them.
"""

from __future__ import annotations

from datetime import date

from contract_calendar import WORKING, audit, findings

ROUTINE = WORKING + (
    "commitments:\n"
    "  - {id: prospecting, activity: prospecting, unit: hours, per: day, target: 2}\n"
    "  - {id: gym, activity: personal, unit: blocks, per: week, target: 2, min_block: 60,\n"
    "     protected: true, window: {days: [tue, thu], start: '07:00', end: '08:30'}}\n"
)
GYM_TUESDAY = ("Gym", "2026-11-03 07:00", "2026-11-03 08:00")
GYM_THURSDAY = ("Gym", "2026-11-05 07:00", "2026-11-05 08:00")


def test_a_later_routine_block_on_the_gym_slot_is_a_protected_overlap(tmp_path):
    # prospecting 07:30-09:30 starts after the gym: the gym keeps 07:30-08:00 (1800 s),
    # prospecting is displaced for those 1800 s and counts 09:30 - 08:00 = 1.5 h
    events = [GYM_TUESDAY, ("Prospecting", "2026-11-03 07:30", "2026-11-03 09:30"), GYM_THURSDAY]
    result = audit(tmp_path, ROUTINE, events)
    counted = result.occurrences.set_index("summary")["counted_hours"]
    assert counted["Prospecting"] == 1.5
    assert sorted(result.occurrences[result.occurrences["summary"] == "Gym"]["counted_hours"]) == [
        1.0,
        1.0,
    ]
    [overlap] = findings(result, "protected_overlap")  # today: none (the gym kept its time)
    assert (overlap.commitment, overlap.day) == ("gym", date(2026, 11, 3))
    assert [(e.activity, e.seconds) for e in overlap.evidence] == [("personal", 1800)]
    assert [(o.activity, o.seconds) for o in overlap.obstacles] == [("prospecting", 1800)]
    assert overlap.detail == "protected time Tue 07:00–08:00 overlapped for 30 min by 1 other event"
    # the prospecting block is still reported displaced, by the gym
    [displaced] = findings(result, "displaced")
    assert [(o.activity, o.seconds) for o in displaced.obstacles] == [("personal", 1800)]


def test_an_event_that_takes_the_gym_time_is_reported_the_same_way(tmp_path):
    # a client breakfast 07:30-08:30 (not a routine block) takes 07:30-08:00 from the gym
    events = [
        GYM_TUESDAY,
        ("Client breakfast", "2026-11-03 07:30", "2026-11-03 08:30"),
        GYM_THURSDAY,
    ]
    result = audit(tmp_path, ROUTINE, events)
    [overlap] = findings(result, "protected_overlap")
    assert [(e.activity, e.seconds) for e in overlap.evidence] == [("personal", 1800)]
    assert [(o.activity, o.seconds) for o in overlap.obstacles] == [("client-meeting", 1800)]


def test_kept_and_lost_overlaps_of_one_block_add_up(tmp_path):
    # Thursday: a call block 06:30-07:15 (starts first: takes 07:00-07:15, 900 s) and a
    # prospecting block 07:45-09:00 (starts later: the gym keeps 07:45-08:00, 900 s)
    events = [
        GYM_TUESDAY,
        GYM_THURSDAY,
        ("Prospecting", "2026-11-05 06:30", "2026-11-05 07:15"),
        ("Prospecting", "2026-11-05 07:45", "2026-11-05 09:00"),
    ]
    [overlap] = findings(audit(tmp_path, ROUTINE, events), "protected_overlap")
    assert overlap.day == date(2026, 11, 5)
    assert [e.seconds for e in overlap.evidence] == [1800]  # 900 + 900
    assert sorted(o.seconds for o in overlap.obstacles) == [900, 900]
