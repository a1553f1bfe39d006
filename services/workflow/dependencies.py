"""Providers of the workflow service."""
from __future__ import annotations

import os

from nameko.extensions import DependencyProvider

from services.workflow.calendar import calendar_from_file

DEFAULT_HOLIDAYS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "deploy", "holidays.yml")


class Calendar(DependencyProvider):
    """The working-day calendar: Vietnamese public holidays plus the deployment's
    override list (config HOLIDAYS_FILE; the repository's deploy/holidays.yml by
    default), loaded once per process."""

    def setup(self):
        path = self.container.config.get("HOLIDAYS_FILE") or DEFAULT_HOLIDAYS_FILE
        self.calendar = calendar_from_file(path)

    def get_dependency(self, worker_ctx):
        return self.calendar
