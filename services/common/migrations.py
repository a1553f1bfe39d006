"""Alembic for every service that owns a database: one migration tree per service
(``services/<name>/migrations``), one URL per service from the same config the
service runs with, so the URL has a single source.

    python -m services.common.migrations upgrade [service ...]
    python -m services.common.migrations check [service ...]   # models == migrations
    python -m services.common.migrations revision SERVICE "message"
"""
from __future__ import annotations

import argparse
import os
import sys

import yaml
from alembic import command
from alembic.config import Config

from services.common.config import settings_from

SERVICES_WITH_DATABASE = ("documents", "workflow", "search", "notify", "storage", "signing",
                          "exchange")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CONFIG = os.path.join(ROOT, "deploy", "config.yml")


def load_config(path: str = DEFAULT_CONFIG) -> dict:
    """The nameko config with ${VAR:default} substituted, as ``nameko run`` reads it."""
    from nameko.cli.main import setup_yaml_parser
    setup_yaml_parser()
    with open(path) as handle:
        return yaml.safe_load(handle)


def alembic_config(service: str, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(ROOT, "services", service, "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _render_item(kind, value, autogen_context):
    """New migrations spell our UtcDateTime as the plain column type it stores as, so
    they do not import application code."""
    from services.common.db import UtcDateTime

    if kind == "type" and isinstance(value, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_env(metadata) -> None:
    """The body of every service's migrations/env.py."""
    from alembic import context

    from services.common.db import make_engine

    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=engine.dialect.name == "sqlite",
                          compare_type=True, render_item=_render_item)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def upgrade(config: dict, services=SERVICES_WITH_DATABASE) -> None:
    settings = settings_from(config)
    for service in services:
        command.upgrade(alembic_config(service, settings.db_url(service)), "head")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="migrations")
    parser.add_argument("action", choices=("upgrade", "check", "revision"))
    parser.add_argument("args", nargs="*")
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    options = parser.parse_args(argv)
    settings = settings_from(load_config(options.config))
    if options.action == "revision":
        service, message = options.args
        cfg = alembic_config(service, settings.db_url(service))
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True)
        return 0
    for service in options.args or SERVICES_WITH_DATABASE:
        cfg = alembic_config(service, settings.db_url(service))
        if options.action == "upgrade":
            command.upgrade(cfg, "head")
        else:
            command.check(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
