"""The notify service's nameko providers."""
from __future__ import annotations

from dataclasses import dataclass

from nameko.extensions import DependencyProvider

from services.common.config import settings_of
from services.notify.mailer import SmtpConfig


@dataclass(frozen=True)
class MailSettings:
    smtp: SmtpConfig
    #: Where people open the web UI (links in e-mails).
    public_url: str


class Mail(DependencyProvider):
    """The e-mail settings of the deployment (SMTP_*, PUBLIC_URL in deploy/config.yml)."""

    def setup(self):
        settings = settings_of(self.container)
        self.settings = MailSettings(smtp=SmtpConfig.from_settings(settings),
                                     public_url=settings.public_url)

    def get_dependency(self, worker_ctx):
        return self.settings
