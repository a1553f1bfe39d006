"""The exchange service's nameko provider: its settings (config EXCHANGE in
deploy/config.yml) and a client of the axis it is connected to — the national axis
(Trục liên thông văn bản quốc gia) or the reference axis (services.axis)."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from nameko.extensions import DependencyProvider

from services.common.config import settings_from
from services.common.file_transfer import internal_url

MIB = 1024 * 1024


@dataclass(frozen=True)
class ExchangeSettings:
    #: the axis's base URL, and this deployment's credentials there (SystemId, SecretKey);
    #: no URL: the deployment is not connected and nothing is sent or polled
    axis_url: str = ""
    system_id: str = ""
    secret_key: str = ""
    axis_timeout_seconds: float = 10.0
    #: the first wait before sending again while the axis is away (doubled each time, at
    #: most 10 minutes)
    retry_first_seconds: float = 5.0
    #: the largest package taken from the axis, and the largest attachment in it
    max_package_bytes: int = 60 * MIB
    max_attachment_bytes: int = 40 * MIB
    #: storage's public base URL, and where this service reaches the same port itself
    storage_public_url: str = ""
    storage_url: str = ""
    #: who answers status packages (StaffInfo): the văn thư desk's name
    staff_department: str = "Văn thư"

    @staticmethod
    def from_config(config: dict) -> "ExchangeSettings":
        section = dict(config.get("EXCHANGE") or {})
        common = settings_from(config)

        def number(name, default):
            value = section.get(name)
            return type(default)(value) if value not in (None, "") else default

        return ExchangeSettings(
            axis_url=str(section.get("axis_url") or "").rstrip("/"),
            system_id=str(section.get("system_id") or ""),
            secret_key=str(section.get("secret_key") or ""),
            axis_timeout_seconds=number("axis_timeout_seconds", 10.0),
            retry_first_seconds=number("retry_first_seconds", 5.0),
            max_package_bytes=number("max_package_bytes", 60 * MIB),
            max_attachment_bytes=number("max_attachment_bytes", 40 * MIB),
            storage_public_url=common.storage_public_url,
            storage_url=str(section.get("storage_url") or ""),
            staff_department=str(section.get("staff_department") or "Văn thư"))

    def internal(self, url: str) -> str:
        return internal_url(self.storage_public_url, self.storage_url, url)


#: axis clients kept between uses (each with its keep-alive connection)
IDLE_AXIS_CLIENTS = 4


class Exchange(DependencyProvider):
    """The settings, and an axis client for each use: a client holds a requests Session,
    which greenthreads must not share, so each use has one to itself; a finished use
    gives it back for the next, so the poll every few seconds reuses its connection
    (and TLS session) instead of opening one each time."""

    def setup(self):
        self.settings = ExchangeSettings.from_config(self.container.config)
        self._idle_clients: list = []

    def stop(self):
        self._close_idle()

    def kill(self):
        self._close_idle()

    def _close_idle(self):
        while self._idle_clients:
            self._idle_clients.pop().close()

    def get_dependency(self, worker_ctx):
        return self

    @property
    def connected(self) -> bool:
        return bool(self.settings.axis_url)

    @contextmanager
    def axis(self):
        """``with exchange.axis() as axis:`` a client of this use alone."""
        client = self._idle_clients.pop() if self._idle_clients else self._new_client()
        try:
            yield client
        except BaseException:
            client.close()   # a call that failed may have left its connection half-used
            raise
        if len(self._idle_clients) < IDLE_AXIS_CLIENTS:
            self._idle_clients.append(client)
        else:
            client.close()

    def _new_client(self):
        from services.exchange.axis_client import AxisClient
        return AxisClient(self.settings.axis_url, self.settings.system_id,
                          self.settings.secret_key,
                          timeout=self.settings.axis_timeout_seconds)

    def limits(self):
        from services.exchange.edxml.parse import Limits
        return Limits(max_package_bytes=self.settings.max_package_bytes,
                      max_attachment_bytes=self.settings.max_attachment_bytes)
