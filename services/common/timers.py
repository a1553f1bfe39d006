"""Timers whose interval comes from config (``TIMERS: {name: seconds}``), so a deployment
tunes them and tests make them fast instead of waiting for a module constant."""
from __future__ import annotations

from nameko.timer import Timer


class ConfiguredTimer(Timer):
    """``@configured_timer("reminder_scan", default=300)``: every TIMERS[name] seconds
    (config), else ``default``."""

    def __init__(self, name: str, default: float, eager: bool = False, **kwargs):
        super().__init__(interval=default, eager=eager, **kwargs)
        self.setting = name

    def setup(self):
        configured = (self.container.config.get("TIMERS") or {}).get(self.setting)
        if configured not in (None, ""):
            self.interval = float(configured)
        super().setup()


configured_timer = ConfiguredTimer.decorator
