"""Issue 23: the bearer token crosses the network only over TLS the user trusts.
A graph_url that is not https (save a test server on this machine) is refused before
anything is sent; a Graph behind a proxy that re-signs TLS with its own CA fails in one
line naming ROUTINE_AUDIT_MS_CA_BUNDLE, and works once it names that CA (the same file
the sign-in trusts)."""

from __future__ import annotations

import graph_fake
import pytest
from loopback import Loopback
from ms_identity_fake import make_tls
from source_contract import REP

from routine_audit.errors import ExitCode

graph = graph_fake.graph
BUNDLE = "ROUTINE_AUDIT_MS_CA_BUNDLE"


def audit(*options: str):
    """The rep's audit, each of ``options`` as a further --source-option."""
    return graph_fake.audit(
        *[a for o in options for a in ("--source-option", o)], "--format", "json"
    )


@pytest.fixture
def tls_graph(tmp_path, monkeypatch):
    """The fake Graph over https, its certificate signed by a CA no system trusts."""
    tls = make_tls(tmp_path / "tls")
    fake = graph_fake.FakeGraph()
    handler = graph_fake._handler(fake)
    with Loopback(handler, context=tls.server_context(), daemon_threads=True) as server:
        fake.url = server.url
        monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_ENDPOINT", fake.url)
        monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_TOKEN", graph_fake.TOKEN)
        monkeypatch.delenv(BUNDLE, raising=False)
        fake.ca_file = tls.ca_file
        yield fake


def test_an_untrusted_graph_certificate_is_one_line_naming_the_ca_bundle(tls_graph):
    tls_graph.serve(REP, [])
    result = audit()
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr.splitlines() == [
        "routine-audit: error: could not reach Microsoft Graph for the calendar of "
        f"{REP}: its TLS certificate is not trusted (if a proxy inspects TLS, set {BUNDLE} "
        "to its CA (a PEM file))"
    ]
    assert graph_fake.TOKEN not in result.output


def test_the_ca_bundle_of_the_sign_in_is_trusted_for_graph_too(tls_graph, monkeypatch):
    tls_graph.serve(REP, [])
    monkeypatch.setenv(BUNDLE, str(tls_graph.ca_file))
    result = audit()
    assert result.exit_code != ExitCode.USAGE, result.output
    assert [s.path for s in tls_graph.seen][:1] == [f"/v1.0/users/{REP}/calendarView"]


@pytest.mark.parametrize("content", [None, b"not a certificate\n"])
def test_a_ca_bundle_that_is_no_pem_file_is_one_line(tls_graph, monkeypatch, tmp_path, content):
    bundle = tmp_path / "ca.pem"
    if content is not None:
        bundle.write_bytes(content)
    monkeypatch.setenv(BUNDLE, str(bundle))
    result = audit()
    assert result.exit_code == ExitCode.USAGE, result.output
    [line] = result.stderr.splitlines()
    assert f"{BUNDLE} names {bundle}, which" in line and "Traceback" not in result.output
    assert tls_graph.seen == []


@pytest.mark.parametrize(
    "url", ["http://graph.microsoft.com", "http://10.0.0.7:8080", "ftp://graph.microsoft.com"]
)
def test_a_graph_url_without_tls_is_refused_before_sending_the_token(graph, url):
    result = audit(f"graph_url={url}")
    assert result.exit_code == ExitCode.USAGE, result.output
    [line] = result.stderr.splitlines()
    assert "graph_url must be an https:// address" in line
    assert graph_fake.TOKEN not in result.output


def test_the_same_from_the_environment(graph, monkeypatch):
    monkeypatch.setenv("ROUTINE_AUDIT_GRAPH_ENDPOINT", "http://graph.example.com")
    result = audit()
    assert result.exit_code == ExitCode.USAGE
    assert "graph_url must be an https:// address, not http://" in result.stderr


def test_http_on_this_machine_stays_allowed_for_test_servers(graph):
    graph.serve(REP, [])
    local = graph.url.replace("127.0.0.1", "localhost")
    result = audit(f"graph_url={local}")
    assert result.exit_code != ExitCode.USAGE, result.output
    assert len(graph.seen) >= 1
