"""The exchange's rules run over a SQLite database of the exchange's tables, one per test."""
import pytest

from services.common.db import DatabaseAccess, make_engine, write_lock_for
from services.exchange.models import metadata


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'exchange.db'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    yield DatabaseAccess(engine, write_lock_for(url))
    engine.dispose()
