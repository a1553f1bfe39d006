"""Plain text: UTF-8 (a byte-order mark dropped, bad bytes replaced), read no further
than the character cap needs."""
from __future__ import annotations

from services.storage.extractors.job import Extractor, Job


def read(job: Job) -> None:
    with open(job.path, "rb") as handle:
        data = handle.read(job.text.max_chars * 4 + 4)
    job.text.add(data.decode("utf-8-sig", errors="replace"))


EXTRACTOR = Extractor(read, in_one_go=True)
