"""The SMTP session pool over TLS, against real aiosmtpd servers with a certificate made
here: STARTTLS and implicit TLS, login, and a certificate we do not trust refused (no
plaintext fallback)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from gigalert_notifier import sending
from gigalert_notifier.apprise_urls import email_url
from gigalert_notifier.sending import send
from gigalert_shared.settings import SmtpSettings
from tests.support.ports import free_port

USER, PASSWORD = "relay-user", "relay-pass word"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_pem, key_pem = folder / "cert.pem", folder / "key.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_pem, key_pem


class Relay:
    """Accepts mail only after login with USER/PASSWORD; keeps the recipients."""

    def __init__(self) -> None:
        self.mails: list[str] = []
        self.logins: list[str] = []

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.logins.append(mechanism)
        return AuthResult(success=ok)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope.rcpt_tos[0])
        return "250 OK"


@contextmanager
def relay(security: str, cert: Path, key: Path) -> Iterator[tuple[Relay, int]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler, port = Relay(), free_port()
    tls: dict[str, Any] = {"ssl_context" if security == "tls" else "tls_context": context}
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=handler.authenticate,
        require_starttls=security == "starttls",
        # aiosmtpd knows of TLS only after STARTTLS: on implicit TLS it would hide AUTH, so
        # there AUTH is offered without insisting on it (the test checks we logged in).
        auth_required=security == "starttls",
        auth_require_tls=security == "starttls",
        server_hostname="localhost",
        **tls,
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def url(port: int, security: str, to: str) -> str:
    smtp = SmtpSettings(
        host="localhost",
        port=port,
        security=security,  # type: ignore[arg-type]
        username=USER,
        password=SecretStr(PASSWORD),
    )
    return email_url(to, smtp, delivery_id="d", unsubscribe_url=None)


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_mail_goes_out_over_tls_after_login_when_the_certificate_is_trusted(
    security: str, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the pool's default context trusts it
    with relay(security, cert, key) as (handler, port):
        outcomes = [
            await send(
                url(port, security, f"u{i}@example.jp"),
                title="t",
                body="<p>b</p>",
                body_format="html",
                timeout=10,
            )
            for i in range(3)
        ]
        await sending.aclose()  # QUIT while the relay still listens
    assert all(o.ok for o in outcomes), outcomes
    assert handler.mails == ["u0@example.jp", "u1@example.jp", "u2@example.jp"]
    assert len(handler.logins) == 1  # one kept session, logged in once


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_an_untrusted_certificate_is_refused_and_nothing_is_sent(
    security: str, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    with relay(security, cert, key) as (handler, port):
        outcome = await send(
            url(port, security, "u@example.jp"),
            title="t",
            body="<p>b</p>",
            body_format="html",
            timeout=10,
        )
    assert not outcome.ok and not outcome.permanent, outcome
    assert "SMTP connection failed" in (outcome.error or "")
    assert "CERTIFICATE_VERIFY_FAILED" in (outcome.error or "")
    assert handler.mails == [] and handler.logins == []
