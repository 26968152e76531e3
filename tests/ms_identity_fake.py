"""A fake Microsoft identity platform (Entra ID) on loopback over HTTPS, for issue 23.

A test CA and a server certificate for 127.0.0.1 are made with ``cryptography`` at test
time; the server (http.server + ssl in a thread) answers what msal asks of a tenant:

- ``GET /{tenant}/v2.0/.well-known/openid-configuration``
- ``GET /{tenant}/oauth2/v2.0/authorize``: records the PKCE challenge and the nonce,
  redirects (302) to the redirect URI with a one-time code and the state;
- ``POST /{tenant}/oauth2/v2.0/token`` with the ``authorization_code`` grant (PKCE checked),
  ``refresh_token`` (rotated) and ``client_credentials`` (the client assertion JWT must be
  signed by the configured certificate, for this token endpoint, by this client);
  an id_token and client_info msal accepts.

msal runs unmodified against it (``ROUTINE_AUDIT_MS_AUTHORITY``, the CA through
``ROUTINE_AUDIT_MS_CA_BUNDLE``). Tokens carry DO-NOT-PRINT so tests can prove no output
quotes them. Use it through the ``identity`` fixture.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from loopback import Loopback, send

TENANT = "0b6e1f5a-7c3d-4e2f-9a8b-contoso00001"
CLIENT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-routineaudit1"
USER = "manager@contoso.example"
OID = "11111111-2222-3333-4444-555555555555"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
RESERVED = {"openid", "profile", "offline_access"}
SECRET_MARK = "DO-NOT-PRINT"


# --- keys and certificates --------------------------------------------------------------


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: tuple[str, rsa.RSAPrivateKey] | None = None,
    *,
    ca: bool = False,
    ip: str | None = None,
) -> x509.Certificate:
    """A certificate for ``subject`` (self-signed unless ``issuer`` = (name, key))."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    signer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]) if issuer else name
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(signer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, encipher_only=False,
                          decipher_only=False),
            critical=True,
        )  # fmt: skip
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    if ip:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(ip)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),
            critical=False,
        )
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


def pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def app_certificate(path: Path) -> x509.Certificate:
    """Write an app's certificate file (private key + certificate, PEM) as an admin makes
    one for the app registration; the certificate, to upload to the fake."""
    key = new_key()
    cert = certificate("routine-audit cron", key)
    path.write_bytes(pem_key(key) + pem_cert(cert))
    path.chmod(0o600)  # as docs/microsoft.md says (wider draws a warning)
    return cert


@dataclass(frozen=True)
class Tls:
    ca_file: Path
    server_cert: Path
    server_key: Path
    signing_key: rsa.RSAPrivateKey  # signs id_tokens

    def server_context(self) -> ssl.SSLContext:
        """TLS for a loopback server with this certificate (signed by the test CA)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.server_cert, self.server_key)
        return context


def make_tls(folder: Path) -> Tls:
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, server_key = new_key(), new_key()
    ca = certificate("routine-audit test CA", ca_key, ca=True)
    server = certificate("127.0.0.1", server_key, ("routine-audit test CA", ca_key), ip="127.0.0.1")
    (folder / "ca.pem").write_bytes(pem_cert(ca))
    (folder / "server.pem").write_bytes(pem_cert(server))
    (folder / "server.key").write_bytes(pem_key(server_key))
    return Tls(folder / "ca.pem", folder / "server.pem", folder / "server.key", server_key)


# --- the server's state ------------------------------------------------------------------


@dataclass
class Grant:
    """An authorization code waiting for its exchange."""

    redirect_uri: str
    challenge: str
    nonce: str
    scopes: list[str]


@dataclass
class FakeIdentity:
    tls: Tls
    url: str = ""
    client_id: str = CLIENT_ID
    tenant: str = TENANT
    user: str = USER
    expires_in: int = 3600  # of access tokens; under msal's 5 minutes: refreshed next time
    granted: set[str] | None = None  # delegated scopes granted (None: all asked for)
    app_certificates: list[x509.Certificate] = field(default_factory=list)
    refusal: str | None = None  # the next token request's error code
    codes: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, list[str]] = field(default_factory=dict)  # token -> scopes
    access_tokens: list[str] = field(default_factory=list)  # issued, in order
    grants: list[str] = field(default_factory=list)  # grant_type of each token request
    seen: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def authority(self) -> str:
        return f"{self.url}/{self.tenant}"

    @property
    def token_endpoint(self) -> str:
        return f"{self.authority}/oauth2/v2.0/token"

    def secrets(self) -> list[str]:
        return [*self.access_tokens, *self.refresh_tokens, *self.codes]

    def assert_no_secrets(self, text: str) -> None:
        assert SECRET_MARK not in text, text
        for secret in self.secrets():
            assert secret not in text

    # --- answering ------------------------------------------------------------------------

    def get(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        base = f"/{self.tenant}"
        if path == f"{base}/v2.0/.well-known/openid-configuration":
            return 200, {}, {
                "issuer": f"{self.authority}/v2.0",
                "authorization_endpoint": f"{self.authority}/oauth2/v2.0/authorize",
                "token_endpoint": self.token_endpoint,
                "response_types_supported": ["code"],
                "scopes_supported": ["openid", "profile", "offline_access"],
            }  # fmt: skip
        if path == f"{base}/oauth2/v2.0/authorize":
            return self._authorize(query)
        return 404, {}, {"error": "not_found"}

    def _authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or not redirect.startswith("http://localhost"):
            return 400, {}, {"error": "unauthorized_client"}
        assert query.get("response_type") == "code"
        assert query.get("code_challenge_method") == "S256"
        code = f"code-{len(self.codes) + 1}-{SECRET_MARK}"
        with self.lock:
            self.codes[code] = Grant(redirect, query["code_challenge"], query.get("nonce", ""),
                                     query.get("scope", "").split())  # fmt: skip
        reply = {"code": code, "state": query.get("state", ""), "session_state": "s-1"}
        if query.get("response_mode") == "form_post":  # a page whose form posts the reply
            return 200, {"X-Form-Action": redirect}, reply
        return 302, {"Location": f"{redirect}?{urlencode(reply)}"}, None

    def post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if path != f"/{self.tenant}/oauth2/v2.0/token":
            return 404, {}, {"error": "not_found"}
        grant = form.get("grant_type", "")
        with self.lock:
            self.grants.append(grant)
            refusal, self.refusal = self.refusal, None
        if refusal:
            return _refused(refusal)
        if form.get("client_id") != self.client_id:
            return _refused("unauthorized_client")
        if grant == "authorization_code":
            return self._code(form)
        if grant == "refresh_token":
            scopes = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if scopes is None:
                return _refused("invalid_grant")
            return 200, {}, self._tokens(scopes, nonce=None)
        if grant == "client_credentials":
            return self._app(form)
        return _refused("unsupported_grant_type")

    def _code(self, form: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            found = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if (
            found is None
            or form.get("redirect_uri") != found.redirect_uri
            or digest.rstrip(b"=").decode() != found.challenge
        ):
            return _refused("invalid_grant")
        asked = [s for s in found.scopes if s not in RESERVED]
        scopes = [s for s in asked if self.granted is None or s in self.granted]
        return 200, {}, self._tokens(scopes, nonce=found.nonce)

    def _tokens(self, scopes: list[str], *, nonce: str | None) -> dict[str, Any]:
        with self.lock:
            n = len(self.access_tokens) + 1
            access, refresh = f"ms-at-{n}-{SECRET_MARK}", f"ms-rt-{n}-{SECRET_MARK}"
            self.access_tokens.append(access)
            self.refresh_tokens[refresh] = scopes
        now = int(time.time())
        claims = {"iss": f"{self.authority}/v2.0", "sub": "sub-1", "aud": self.client_id,
                  "iat": now, "nbf": now, "exp": now + 3600, "oid": OID, "tid": self.tenant,
                  "preferred_username": self.user, "name": "Dana Manager"}  # fmt: skip
        if nonce:
            claims["nonce"] = nonce
        info = json.dumps({"uid": OID, "utid": self.tenant}).encode()
        return {
            "token_type": "Bearer",
            "scope": " ".join(scopes),
            "expires_in": self.expires_in,
            "ext_expires_in": self.expires_in,
            "access_token": access,
            "refresh_token": refresh,
            "id_token": jwt.encode(claims, self.tls.signing_key, algorithm="RS256"),
            "client_info": base64.urlsafe_b64encode(info).rstrip(b"=").decode(),
        }

    def _app(self, form: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """client_credentials: the assertion signed by an uploaded certificate's key."""
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return _refused("invalid_client")
        assertion = form.get("client_assertion", "")
        header = jwt.get_unverified_header(assertion)
        for cert in self.app_certificates:
            thumb = base64.urlsafe_b64encode(cert.fingerprint(hashes.SHA256())).rstrip(b"=")
            if str(header.get("x5t#S256", "")).rstrip("=") != thumb.decode():
                continue
            try:
                claims = jwt.decode(assertion, cert.public_key(), algorithms=["RS256", "PS256"],
                                    audience=self.token_endpoint)  # fmt: skip
            except jwt.PyJWTError:
                return _refused("invalid_client")
            if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
                return _refused("invalid_client")
            if form.get("scope", "").split() != ["https://graph.microsoft.com/.default"]:
                return _refused("invalid_scope")
            with self.lock:
                access = f"ms-app-at-{len(self.access_tokens) + 1}-{SECRET_MARK}"
                self.access_tokens.append(access)
            body = {"token_type": "Bearer", "expires_in": self.expires_in,
                    "ext_expires_in": self.expires_in, "access_token": access}  # fmt: skip
            return 200, {}, body
        return _refused("invalid_client")


def _refused(code: str) -> tuple[int, dict[str, str], Any]:
    description = f"AADSTS70000: refused; trace {SECRET_MARK} client_secret=hunter2"
    return 400, {}, {"error": code, "error_description": description, "error_codes": [70000]}


def _handler(fake: FakeIdentity) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            fake.seen.append(("GET", parts.path))
            status, headers, body = fake.get(parts.path, dict(parse_qsl(parts.query)))
            send(self, status, body, headers)

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            fake.seen.append(("POST", parts.path))
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            status, headers, body = fake.post(parts.path, form)
            send(self, status, body, headers)

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@pytest.fixture(scope="session")
def identity_tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_tls(tmp_path_factory.mktemp("ms-tls"))


@pytest.fixture
def identity(
    identity_tls: Tls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeIdentity]:
    """A fresh fake identity platform; the authority, CA and sign-in file point at it."""
    fake = FakeIdentity(identity_tls)
    with Loopback(_handler(fake), context=identity_tls.server_context()) as server:
        fake.url = server.url
        monkeypatch.setenv("ROUTINE_AUDIT_MS_AUTHORITY", fake.authority)
        monkeypatch.setenv("ROUTINE_AUDIT_MS_CA_BUNDLE", str(identity_tls.ca_file))
        monkeypatch.setenv("ROUTINE_AUDIT_MS_TOKEN_CACHE", str(tmp_path / "ms" / "sign-in.json"))
        monkeypatch.setenv("ROUTINE_AUDIT_MS_CLIENT_ID", CLIENT_ID)
        monkeypatch.delenv("ROUTINE_AUDIT_MS_TENANT", raising=False)
        yield fake


def _open(fake: FakeIdentity, address: str) -> tuple[int, Any, bytes]:
    import http.client

    parts = urlsplit(address)
    context = ssl.create_default_context(cafile=str(fake.tls.ca_file))
    connection = http.client.HTTPSConnection(parts.netloc, context=context, timeout=10)
    connection.request("GET", f"{parts.path}?{parts.query}")
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response, body


def visit(fake: FakeIdentity, address: str) -> str:
    """A browser at ``address`` (the sign-in page): where the platform redirects it."""
    status, response, _ = _open(fake, address)
    assert status == 302, status
    return response.getheader("Location") or ""


def visit_and_post(fake: FakeIdentity, address: str) -> None:
    """A browser at ``address`` with response_mode=form_post: the page's form is posted
    to the redirect address (msal's local server)."""
    import urllib.request

    status, response, body = _open(fake, address)
    assert status == 200, status
    action = response.getheader("X-Form-Action")
    form = urlencode(json.loads(body)).encode()
    with urllib.request.urlopen(urllib.request.Request(action, data=form), timeout=10) as page:
        page.read()
