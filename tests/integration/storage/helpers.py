"""Looking at what the storage service left behind: its blobs, temporary files,
rows and outbox, read straight from disk and database."""
import os

from sqlalchemy import create_engine, select

from services.common.config import settings_from
from services.storage import models


def blob_files(config) -> list[str]:
    root = os.path.join(settings_from(config).data_dir, "blobs")
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".tmp"]
        found += [os.path.join(folder, n) for n in names]
    return found


def temporary_files(config) -> list[str]:
    settings = settings_from(config)
    found = []
    for root in (os.path.join(settings.data_dir, "tmp"),
                 os.path.join(settings.data_dir, "blobs", ".tmp")):
        for folder, _, names in os.walk(root):
            found += [os.path.join(folder, n) for n in names]
    return found


class Db:
    """Direct access to the service's database for assertions and set-up."""

    def __init__(self, config):
        self.engine = create_engine(settings_from(config).db_url("storage"))

    def row(self, file_id):
        with self.engine.connect() as conn:
            return conn.execute(select(models.files)
                                .where(models.files.c.file_id == file_id)).first()

    def events(self, event_type=None):
        query = select(models.outbox.c.event_type, models.outbox.c.payload).order_by(
            models.outbox.c.id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [r.payload for r in rows if event_type in (None, r.event_type)]

    def insert_file(self, **values):
        with self.engine.begin() as conn:
            conn.execute(models.files.insert().values(**values))

    def close(self):
        self.engine.dispose()
