"""Sending one e-mail through SMTP with smtplib. Blocking: the service runs ``send``
in a real OS thread (eventlet.tpool). No nameko here.

``send`` returns None when the server took the message, else a ``Failure`` saying
whether trying again later may help and whether the server itself is unreachable
(then the rest of a batch waits for the next round)."""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

#: Seconds any one step of an SMTP conversation may take.
TIMEOUT_SECONDS = 30
MESSAGE_ID_DOMAIN = "eoffice"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "e-Office <no-reply@localhost>"

    @property
    def enabled(self) -> bool:
        """No host, no e-mail: notifications stay in-app."""
        return bool(self.host)

    @classmethod
    def from_settings(cls, settings) -> "SmtpConfig":
        return cls(host=settings.smtp_host, port=settings.smtp_port, user=settings.smtp_user,
                   password=settings.smtp_password, starttls=settings.smtp_starttls,
                   sender=settings.smtp_from)


@dataclass(frozen=True)
class Failure:
    error: str
    permanent: bool = False        # the server refused this message for good (5xx)
    server_down: bool = False      # no conversation with the server: stop the batch


def build_message(sender: str, message_id: str, to_address: str, subject: str,
                  body: str) -> EmailMessage:
    """A UTF-8 plain-text message (quoted-printable, so 7-bit servers take it too)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to_address
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    # The outbox row's id: a message sent again after a crash keeps its Message-ID.
    message["Message-ID"] = f"<{message_id}@{MESSAGE_ID_DOMAIN}>"
    message["Auto-Submitted"] = "auto-generated"     # RFC 3834: no auto-replies, please
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


def send(config: SmtpConfig, message: EmailMessage) -> Failure | None:
    """Deliver ``message`` to the SMTP server in one conversation. Never raises: an
    unexpected error is a Failure too, so the outbox row is never left claimed."""
    try:
        return _send(config, message)
    except Exception as exc:   # noqa: BLE001 - recorded on the row and retried
        return Failure(_describe(exc))


def _send(config: SmtpConfig, message: EmailMessage) -> Failure | None:
    try:
        smtp = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
    except (OSError, smtplib.SMTPException) as exc:
        return Failure(_describe(exc), server_down=True)
    try:
        smtp.ehlo()
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if config.user:
            smtp.login(config.user, config.password)
    except (OSError, smtplib.SMTPException) as exc:
        _close(smtp)
        return Failure(_describe(exc), server_down=True)
    try:
        refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return _finish(smtp, Failure(_describe(exc), permanent=all(c >= 500 for c in codes)))
    except smtplib.SMTPDataError as exc:
        return _finish(smtp, Failure(_describe(exc), permanent=exc.smtp_code >= 500))
    except smtplib.SMTPSenderRefused as exc:      # our From is wrong: every message fails
        return _finish(smtp, Failure(_describe(exc), server_down=True))
    except (OSError, smtplib.SMTPException) as exc:
        _close(smtp)
        return Failure(_describe(exc), server_down=True)
    if refused:     # one recipient per message: refused means not sent
        return _finish(smtp, Failure(f"refused: {refused}"))
    return _finish(smtp, None)


def _finish(smtp, result):
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        _close(smtp)
    return result


def _close(smtp) -> None:
    try:
        smtp.close()
    except OSError:
        pass


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") \
            if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{type(exc).__name__} {exc.smtp_code}: {text}"
    return f"{type(exc).__name__}: {exc}"
