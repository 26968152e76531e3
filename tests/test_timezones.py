"""Tests for routine_audit.timezones.resolve_zone."""

from __future__ import annotations

import codecs
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from routine_audit.timezones import resolve_zone
from routine_audit.windows_zone_names import WINDOWS_DISPLAY_NAMES

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _key(name: str) -> str | None:
    zone = resolve_zone(name)
    return None if zone is None else zone.key


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("America/Los_Angeles", "America/Los_Angeles"),
        ("UTC", "Etc/UTC"),  # the Windows ID "UTC" wins; same zone
        ('"Europe/Berlin"', "Europe/Berlin"),
        ("  Europe/Berlin ", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("US/Eastern", "US/Eastern"),
        ("US/Pacific", "US/Pacific"),
    ],
)
def test_iana_names_and_aliases(name: str, expected: str) -> None:
    assert _key(name) == expected


def test_legacy_aliases_have_the_rules_of_their_target() -> None:
    zone = resolve_zone("US/Eastern")
    assert zone is not None
    for month in (1, 7):
        moment = datetime(2024, month, 15, 12)
        assert zone.utcoffset(moment) == ZoneInfo("America/New_York").utcoffset(moment)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("W. Australia Standard Time", "Australia/Perth"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("Eastern Standard Time", "America/New_York"),
        ("GMT Standard Time", "Europe/London"),
        ("India Standard Time", "Asia/Calcutta"),
        ("w. europe standard time", "Europe/Berlin"),
        ("W.Europe  Standard Time", "Europe/Berlin"),
        ("Pacific Standard Time:", "America/Los_Angeles"),
        ("W. Europe Daylight Time", "Europe/Berlin"),
        # Retired IDs and standard names that differ from the ID.
        ("Mexico Standard Time", "America/Mexico_City"),
        ("Jerusalem Standard Time", "Asia/Jerusalem"),
        ("Russia TZ 3 Standard Time", "Europe/Samara"),
    ],
)
def test_windows_zone_ids(name: str, expected: str) -> None:
    assert _key(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("(UTC-05:00) Eastern Time (US and Canada)", "America/New_York"),
        ("(GMT+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney"),
        ("(UTC+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney"),
        ("Canberra, Melbourne, Sydney", "Australia/Sydney"),
        ("(UTC-03:00) Brasília", "America/Sao_Paulo"),
        ("(UTC-03:00) Brasilia", "America/Sao_Paulo"),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
        ("(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
        ("Pacific Time (US & Canada), Tijuana", "America/Los_Angeles"),
        ("(GMT-08:00) Pacific Time (US & Canada); Tijuana", "America/Los_Angeles"),
        ("(UTC-08:00) Pacific Time (US & Canada)", "America/Los_Angeles"),
        ("(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London", "Europe/London"),
        ("(UTC) Coordinated Universal Time", "Etc/UTC"),
        ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Calcutta"),
        ("(UTC+12:00) Coordinated Universal Time+12", "Etc/GMT-12"),
        ("(UTC-11:00) Coordinated Universal Time-11", "Etc/GMT+11"),
        ("(UTC+03:00) Moscow, St. Petersburg, Volgograd (RTZ 2)", "Europe/Moscow"),
        ("(UTC-06:00) Guadalajara, Mexico City, Monterrey - Old", "America/Mexico_City"),
        # Robust matching: case, spaces, "&"/"and", prefix spelling.
        ("(utc-05:00) EASTERN TIME (US & CANADA)", "America/New_York"),
        ("(UTC -05:00)Eastern Time(US&Canada)", "America/New_York"),
        ("( GMT-05:00 )  Eastern   Time  (US  and  Canada) ", "America/New_York"),
        ("(UTC\u221205:00) Eastern Time (US & Canada)", "America/New_York"),
        ("Eastern Time (US & Canada)", "America/New_York"),
        # An old name is mapped to the place it names, not to its ID's current zone.
        ("(UTC+02:00) Minsk", "Europe/Minsk"),
        ("(GMT-11:00) Midway Island, Samoa", "Pacific/Pago_Pago"),
        # A Windows ID behind an offset prefix.
        ("(UTC+01:00) W. Europe Standard Time", "Europe/Berlin"),
    ],
)
def test_windows_zone_names(name: str, expected: str) -> None:
    assert _key(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("/softwarestudio.org/Olson_20011030_5/America/Chicago", "America/Chicago"),
        ("/mozilla.org/20050126_1/Europe/Berlin", "Europe/Berlin"),
        ("/mozilla.org/20050126_1/America/Boise", "America/Boise"),
        (
            "/mozilla.org/20070129_1/America/Argentina/Buenos_Aires",
            "America/Argentina/Buenos_Aires",
        ),
        ("/citadel.org/20190914_1/Europe/Paris", "Europe/Paris"),
        ("/freeassociation.sourceforge.net/Tzfile/Europe/London", "Europe/London"),
    ],
)
def test_path_prefixed_iana_names(name: str, expected: str) -> None:
    assert _key(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Customized Time Zone",
        "tzone://Microsoft/Custom",
        "FOO",
        "",
        "   ",
        '""',
        "custom_Pacific/Fiji",
        "Nowhere/Middle",
        "America",  # a tzdata folder, not a zone
        "../../etc/passwd",
        "/etc/passwd",
        "Europe/\x00Berlin",
        "GMT +0100 (Standard) / GMT +0200 (Daylight)",
        # An offset prefix with an unknown or no name: the offset alone does not
        # say the daylight-saving rules, so no zone is guessed.
        "(UTC+05:30)",
        "(UTC+05:30) Somewhere Else",
        "(GMT-05:00) Customized Time Zone",
    ],
)
def test_unresolvable_names(name: str) -> None:
    assert resolve_zone(name) is None


def test_results_are_cached() -> None:
    name = "(UTC+09:00) Osaka, Sapporo, Tokyo"
    assert resolve_zone(name) is resolve_zone(name)
    assert resolve_zone.cache_info().hits >= 1


@pytest.mark.parametrize(("display", "target"), sorted(WINDOWS_DISPLAY_NAMES.items()))
def test_every_display_name_resolves_to_its_own_target(display: str, target: str) -> None:
    # Fails if a table value is misspelled, or if two entries whose names match the
    # same way point at different zones (the first would shadow the second).
    expected = ZoneInfo(WINDOWS_TO_OLSON.get(target, target))
    zone = resolve_zone(display)
    assert zone is not None
    assert zone.key == expected.key


def test_every_windows_zone_id_has_a_display_name() -> None:
    targets = set(WINDOWS_DISPLAY_NAMES.values())
    assert set(WINDOWS_TO_OLSON) - targets == set()


# --- the real-world corpus ------------------------------------------------------------

# Corpus TZIDs that are intentionally unresolvable (resolve_zone returns None):
#   ""                       blank TZID (ical4j/blankTzid.ics)
#   "18640509", "a"          libical/zday.ics: a malformed TZID property and a made-up name
#   "America-Chicago", "America-SanJose", "US-Eastern"
#                            libical test names with "-" for "/"; the file's VTIMEZONE has
#                            the rules, and "America-SanJose" (California) is no IANA name
#   "Customized Time Zone", "tzone://Microsoft/Custom"
#                            Outlook/Exchange custom zones: only their VTIMEZONE has rules
#   "custom_Pacific/Fiji"    a custom VTIMEZONE (icalendar/pacific_fiji.ics)
#   "FOO", "Nowhere/Middle"  made-up names
#   "GMT +0100 (Standard) / GMT +0200 (Daylight)"
#                            Exchange CDO name that gives offsets only, no DST dates
#   "Екатеринбург"           localized (Russian) Outlook name; the table is English only
CORPUS_UNRESOLVABLE = frozenset(
    {
        "",
        "18640509",
        "a",
        "America-Chicago",
        "America-SanJose",
        "US-Eastern",
        "Customized Time Zone",
        "tzone://Microsoft/Custom",
        "custom_Pacific/Fiji",
        "FOO",
        "Nowhere/Middle",
        "GMT +0100 (Standard) / GMT +0200 (Daylight)",
        "Екатеринбург",
    }
)

_FOLD = re.compile(r"\r?\n[ \t]")
_TZID_PROPERTY = re.compile(r"TZID(?:;[^:]*)?:(.*)", re.IGNORECASE)
_PARAMETERS = re.compile(
    r'[A-Za-z0-9-]+((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:]*)(?:,(?:"[^"]*"|[^";:,]*))*)*):'
)
_TZID_PARAMETER = re.compile(r';TZID=(?:"([^"]*)"|([^";:]*))', re.IGNORECASE)
_TEXT_ESCAPE = re.compile(r"\\([\\;,nN])")


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _tzids(text: str) -> set[str]:
    """TZID parameter values and TZID property values of an unfolded iCalendar text."""
    found: set[str] = set()
    for line in _FOLD.sub("", text).splitlines():
        if prop := _TZID_PROPERTY.fullmatch(line):
            found.add(
                _TEXT_ESCAPE.sub(
                    lambda m: m.group(1).replace("n", "\n").replace("N", "\n"), prop[1]
                )
            )
        elif params := _PARAMETERS.match(line):
            for match in _TZID_PARAMETER.finditer(params[1]):
                found.add(match[1] if match[1] is not None else match[2])
    return found


def _corpus_tzids() -> list[object]:
    if not CORPUS.is_dir():
        return [
            pytest.param(None, marks=pytest.mark.skip(reason=f"no calendar corpus at {CORPUS}"))
        ]
    names: set[str] = set()
    for path in sorted((CORPUS / "ics").rglob("*.ics")):
        names |= _tzids(_decode(path.read_bytes()))
    return [pytest.param(name, id=repr(name)) for name in sorted(names)]


def _looks_windows(name: str) -> bool:
    return (
        "Standard Time" in name
        or name.startswith(("(UTC", "(GMT"))
        or "(US & Canada)" in name
        or "(US and Canada)" in name
    )


def test_corpus_scan_finds_the_known_tzid_shapes() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"no calendar corpus at {CORPUS}")
    names = {param.values[0] for param in _corpus_tzids()}
    assert "W. Europe Standard Time" in names
    assert "(UTC-05:00) Eastern Time (US & Canada)" in names
    assert "Pacific Time (US & Canada), Tijuana" in names  # a TZID property with "\,"
    assert "" in names


@pytest.mark.parametrize("tzid", _corpus_tzids())
def test_corpus_tzid(tzid: str) -> None:
    if tzid in CORPUS_UNRESOLVABLE:
        assert not _looks_windows(tzid)
        assert resolve_zone(tzid) is None
    else:
        assert resolve_zone(tzid) is not None, f"corpus TZID {tzid!r} does not resolve"


def test_iana_names_resolve_as_the_windows_table_would():
    """IANA names skip the Windows table (start-up); the answers must be the table's."""
    from zoneinfo import ZoneInfo

    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    for windows_id, iana in WINDOWS_TO_OLSON.items():
        assert resolve_zone(windows_id) == ZoneInfo(iana), windows_id
