"""Google's saved sign-in (the token file) on disk, as Microsoft's (tests/
test_issue23_ms_sign_in_files.py): one that others can read (copied with cp, a loose
umask) is made owner-only again with a one-line warning, and still works; a file that is
no sign-in is left as it is; a run killed while saving a refreshed sign-in leaves the
old one whole and nothing readable beside it, and the next run works."""

from __future__ import annotations

import json
import os

import google_fake
import pytest
from killed_save import run_killed_while_saving

from routine_audit.errors import ExitCode

google = google_fake.google
posix = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def warning(path) -> str:
    return (
        f"routine-audit: warning: {path}: others could read this saved Google sign-in "
        "(its refresh token); made it yours alone (chmod 600)"
    )


@posix
def test_a_saved_sign_in_others_can_read_is_made_owner_only_with_a_warning(google):
    saved = google.valid_token_file()
    saved.chmod(0o644)  # e.g. copied from another machine with cp
    listed = google.invoke("calendars")
    assert listed.exit_code == 0, listed.output
    assert "rep@company.example" in listed.stdout
    assert saved.stat().st_mode & 0o777 == 0o600
    assert listed.stderr.splitlines() == [warning(saved)]
    again = google.invoke("calendars")  # owner-only now: nothing more to say
    assert again.exit_code == 0 and again.stderr == ""


@posix
def test_an_expired_sign_in_group_can_read_is_warned_about_once_and_saved_owner_only(google):
    saved = google.token_file  # the fixture's sign-in has expired: reading refreshes it
    saved.chmod(0o640)
    status = google.invoke("auth", "status")
    assert status.exit_code == 0, status.output
    assert status.stderr.splitlines() == [warning(saved)]
    assert len(google.token_requests("refresh_token")) == 1
    assert saved.stat().st_mode & 0o777 == 0o600
    assert json.loads(saved.read_text())["token"] == google.issued[-1]


@posix
def test_a_file_that_is_no_saved_sign_in_is_left_as_it_is(google):
    google.token_file.write_text("[]")
    google.token_file.chmod(0o644)
    listed = google.invoke("calendars")
    assert listed.exit_code == ExitCode.USAGE
    assert "warning" not in listed.stderr
    assert google.token_file.stat().st_mode & 0o777 == 0o644


@posix
def test_killed_while_saving_a_refreshed_sign_in_the_next_run_works(google):
    saved = google.token_file  # expired: the next use refreshes, then saves
    before = saved.read_text()
    done = run_killed_while_saving("calendars")
    assert done.returncode == -9, done.stderr
    assert saved.read_text() == before  # the old sign-in, whole
    leftovers = [p for p in saved.parent.iterdir() if p.name.startswith(f".{saved.name}.")]
    assert leftovers  # the half-written one, never replacing the sign-in...
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in leftovers)  # ...nor readable
    listed = google.invoke("calendars")
    assert listed.exit_code == 0, listed.output
    assert listed.stderr == ""
    google.assert_no_secrets(done.stdout, done.stderr)
