"""Sends one email over SMTP with aiosmtplib (TLS none / STARTTLS / implicit TLS, optional login)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from pfd_notifier.domain.templates import Email

PERMANENT_CODES = range(500, 600)


@dataclass(frozen=True)
class SmtpServer:
    """A resolved configuration; ``password`` is in clear only in memory, for the duration of one send."""

    host: str
    port: int
    tls_mode: str
    username: str | None
    password: str | None
    from_address: str
    timeout_s: float
    validate_certs: bool = True

    def __repr__(self) -> str:  # never show the password
        return f"SmtpServer({self.host}:{self.port}, tls={self.tls_mode}, user={self.username!r})"


class SmtpFailure(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def build_message(email: Email, sender: str, to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, email.subject
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


async def send_email(server: SmtpServer, email: Email, to: str) -> None:
    """Hand the message to the server; ``SmtpFailure`` says why not (5xx answers are permanent)."""
    where = f"SMTP server {server.host}:{server.port}"
    try:
        await aiosmtplib.send(
            build_message(email, server.from_address, to), hostname=server.host, port=server.port,
            username=server.username or None, password=server.password if server.username else None,
            use_tls=server.tls_mode == "tls", start_tls=server.tls_mode == "starttls",
            timeout=server.timeout_s, validate_certs=server.validate_certs)
    except aiosmtplib.SMTPAuthenticationError as exc:
        raise SmtpFailure(f"{where} refused the login: {exc.code} {exc.message}", permanent=True) from exc
    except aiosmtplib.SMTPRecipientsRefused as exc:
        raise SmtpFailure(f"{where} refused the recipient {to}", permanent=True) from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise SmtpFailure(f"{where} answered {exc.code} {exc.message}", permanent=exc.code in PERMANENT_CODES) from exc
    except aiosmtplib.SMTPTimeoutError as exc:
        raise SmtpFailure(f"{where} did not answer within {server.timeout_s:g}s", permanent=False) from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise SmtpFailure(f"{where} unreachable: {exc}", permanent=False) from exc
