"""Every service's alembic migrations build exactly what its models describe, on
SQLite and on PostgreSQL (no drift between models and migrations)."""
import pytest
from alembic import command

from services.common.migrations import SERVICES_WITH_DATABASE, alembic_config


@pytest.mark.parametrize("service", SERVICES_WITH_DATABASE)
def test_migrations_upgrade_to_head_and_match_the_models(service, db_url_factory):
    config = alembic_config(service, db_url_factory(service))
    command.upgrade(config, "head")
    command.check(config)   # raises if autogenerate would find a difference
    command.downgrade(config, "base")
    command.upgrade(config, "head")
