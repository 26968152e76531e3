"""App-only access for cron: a confidential client proving itself with a certificate.

Configured in the team file as ``microsoft: {tenant, client_id, certificate: PATH}``;
the certificate file holds the private key and its certificate (PEM, both in one file,
or a PKCS#12 ``.pfx`` without a password). msal signs a client assertion with the key
and keeps the access token in memory until it nears expiry.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from ...errors import CredentialError, Location
from ...secret_files import owner_only
from . import identity

PFX = (".pfx", ".p12")
CERT_HINT = (
    "give `certificate` as a PEM file holding the private key and its certificate "
    "(see docs/microsoft.md)"
)


class AppOnly:
    """A ``TokenProvider``: the app's own token for Graph (every mailbox it may read)."""

    def __init__(self, tenant: str, client_id: str, certificate: Path) -> None:
        identity.msal()  # first: without it, cryptography may be missing too
        key, cert = load_certificate(certificate)
        self.certificate = certificate
        self.app = identity.application(
            "ConfidentialClientApplication",
            client_id,
            identity.authority(tenant),
            client_credential={"private_key": key, "public_certificate": cert},
        )
        self.scopes = identity.app_scopes()
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            try:
                result = self.app.acquire_token_for_client(scopes=self.scopes)
            except OSError as exc:
                raise identity.unreachable(exc, "the token endpoint") from None
            except json.JSONDecodeError as exc:  # a ValueError, but the answer's, not the key's
                raise identity.garbled(exc, "the token endpoint") from None
            except ValueError:  # msal could not use the key (e.g. an unsupported type)
                raise CredentialError(
                    "msal cannot sign with this certificate's key",
                    where=Location(self.certificate),
                    hint=CERT_HINT,
                ) from None
            except identity.unreadable() as exc:
                raise identity.garbled(exc, "the token endpoint") from None
        if not isinstance(result, dict) or "access_token" not in result:
            raise identity.failed(
                result,
                "Microsoft refused the app's certificate sign-in",
                hint="check tenant, client_id and that this certificate is uploaded to the "
                "app registration (see docs/microsoft.md)",
            )
        return str(result["access_token"])


def load_certificate(path: Path) -> tuple[str, str]:
    """(private key, certificate) as PEM text from ``path``; a one-line error naming the
    file when it is missing, unreadable, or not a key with its certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CredentialError("certificate file not found", where=Location(path),
                              hint=CERT_HINT) from None  # fmt: skip
    except OSError as exc:
        raise identity.cannot_read(
            path, "the certificate", exc,
            hint="run as a user who may read it (chmod 600, owned by the cron user)",
        ) from None  # fmt: skip
    try:
        if path.suffix.lower() in PFX:
            key, cert, _ = pkcs12.load_key_and_certificates(data, None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
            cert = x509.load_pem_x509_certificate(data)
    except (ValueError, TypeError):
        raise CredentialError(
            "not a private key with its certificate (or the key has a password)",
            where=Location(path),
            hint=CERT_HINT,
        ) from None
    if key is None or cert is None or not _matches(key, cert):
        raise CredentialError(
            "the private key does not belong to the certificate in this file",
            where=Location(path),
            hint=CERT_HINT,
        )
    owner_only(path, "the app's private key", fix=False)  # the admin's file
    pem = serialization.Encoding.PEM
    key_text = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return key_text, cert.public_bytes(pem).decode("ascii")


def _matches(key: Any, cert: Any) -> bool:
    from cryptography.hazmat.primitives import serialization

    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return key.public_key().public_bytes(*spki) == cert.public_key().public_bytes(*spki)
