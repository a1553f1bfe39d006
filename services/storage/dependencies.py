"""nameko providers of the storage service: the blob backend and its settings."""
from __future__ import annotations

import logging
import os
import time

from nameko.extensions import DependencyProvider

from services.common.config import Settings, settings_of
from services.storage.blobs import from_url
from services.storage.extraction import (ExtractionSlots, hide_environment_from_children,
                                         stop_fork_server)

log = logging.getLogger(__name__)


def upload_tmp_dir(settings: Settings) -> str:
    """Where upload bodies and S3 downloads are spooled (under DATA_DIR)."""
    return os.path.join(settings.data_dir, "tmp", "storage")


class BlobStore(DependencyProvider):
    """The blob backend ``STORAGE_URL`` names, built once per container."""

    def setup(self):
        settings = settings_of(self.container)
        tmp_dir = upload_tmp_dir(settings)
        os.makedirs(tmp_dir, exist_ok=True)
        self.store = from_url(settings.storage_url, tmp_dir=tmp_dir)

    def get_dependency(self, worker_ctx):
        return self.store


#: Temporary files older than this are leftovers of a crash (an upload takes minutes).
STALE_TMP_SECONDS = 24 * 3600


def remove_stale_tmp_files(folder: str, max_age: float = STALE_TMP_SECONDS) -> int:
    """Delete spooled files a crashed process left behind; returns how many."""
    removed = 0
    # the file system's clock, which wrote the mtimes (not the service's, maybe frozen)
    cutoff = time.time() - max_age
    for entry in os.scandir(folder):
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        except FileNotFoundError:   # another replica got there first
            pass
    return removed


class StorageSettings(DependencyProvider):
    """The deployment's settings (``services.common.config.Settings``)."""

    def setup(self):
        self.settings = settings_of(self.container)
        # The extraction child parses hostile files as our Unix user: keep it out of
        # this process's environment (secrets) and memory.
        if not hide_environment_from_children():
            log.warning("could not make storage non-dumpable: the extraction child can "
                        "read its environment")
        tmp_dir = upload_tmp_dir(self.settings)
        os.makedirs(tmp_dir, exist_ok=True)
        remove_stale_tmp_files(tmp_dir)

    def get_dependency(self, worker_ctx):
        return self.settings


class ExtractionLimit(DependencyProvider):
    """The process's ExtractionSlots (MAX_CONCURRENT_EXTRACTIONS), shared by its workers;
    stops the process's extraction fork server (started on the first extraction) when
    the container stops, once its workers are done."""

    def setup(self):
        self.slots = ExtractionSlots(settings_of(self.container).max_concurrent_extractions)

    def get_dependency(self, worker_ctx):
        return self.slots

    def stop(self):
        stop_fork_server()

    def kill(self):
        stop_fork_server()
