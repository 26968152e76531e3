"""Signing out through the library (``google.auth.logout``, ``microsoft.delegated.logout``)
where the saved sign-in cannot be removed (its path is a folder) raises a
``CredentialError`` naming the file, as ``auth logout`` shows it: never an ``OSError``."""

from __future__ import annotations

import pytest

from routine_audit.errors import CredentialError
from routine_audit.sources.google import auth as google
from routine_audit.sources.microsoft import delegated as microsoft


@pytest.mark.parametrize("logout", [google.logout, microsoft.logout], ids=["google", "microsoft"])
def test_a_folder_in_place_of_the_sign_in_is_a_credential_error(tmp_path, logout):
    folder = tmp_path / "token.json"
    folder.mkdir()
    with pytest.raises(CredentialError) as caught:
        logout(folder)
    assert "cannot remove the saved sign-in" in str(caught.value)
    assert str(folder) in str(caught.value)


@pytest.mark.parametrize("logout", [google.logout, microsoft.logout], ids=["google", "microsoft"])
def test_no_sign_in_is_false_and_a_file_is_removed(tmp_path, logout):
    saved = tmp_path / "token.json"
    assert logout(saved) is False
    saved.write_text("{}", encoding="utf-8")
    assert logout(saved) is True
    assert not saved.exists()


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_the_cli_names_its_flag_in_the_hint(tmp_path, provider):
    from typer.testing import CliRunner

    from routine_audit.cli import app

    folder = tmp_path / "token.json"
    folder.mkdir()
    result = CliRunner().invoke(
        app, ["auth", "logout", "--provider", provider, "--token", str(folder)]
    )
    assert result.exit_code == 2
    assert "cannot remove the saved sign-in" in result.output
    assert "name the sign-in file with --token, as its owner" in result.output
    assert "Traceback" not in result.output
