"""Word 97-2003 (binary .doc) with ``antiword -m UTF-8.txt`` (Debian ``antiword``),
which maps the document's characters to UTF-8 itself, Vietnamese included; its output
is normalised to NFC (old converters wrote decomposed Vietnamese diacritics). Chosen
over catdoc on the real files in tests/fixtures/docs: both keep the diacritics, but
catdoc lost a line's start ("2. Nội dung công bố" became "3bố"), let stray bytes
through and printed field codes (PAGE)."""
from __future__ import annotations

import re

from services.storage.extractors.job import Extractor, Job
from services.storage.extractors.sandbox import ExtractionFailed, run_tool

_SPACES = re.compile(r"[ \t\u00a0]{2,}")


def read(job: Job) -> None:
    limit = job.text.max_chars * 4 + (1 << 20)
    try:
        output, cut = run_tool(["antiword", "-m", "UTF-8.txt", "-w", "0", job.path],
                               timeout=job.budget.remaining(), max_output=limit,
                               package="antiword")
    except ExtractionFailed as exc:
        message = str(exc)
        if "not a Word Document" in message:
            message = "not a Word 97-2003 document: " + message
        raise ExtractionFailed(message)
    text = output.decode("utf-8", errors="replace" if not cut else "ignore")
    job.text.add("\n".join(_line(line) for line in text.splitlines()))
    if cut:
        job.text.truncated = True


def _line(line: str) -> str:
    """antiword pads text and draws tables with ``|``: a table row becomes its cells
    separated by tabs (as for DOCX), runs of padding one space."""
    line = line.strip()
    if len(line) > 1 and line.startswith("|") and line.endswith("|"):
        return "\t".join(_SPACES.sub(" ", cell).strip() for cell in line[1:-1].split("|"))
    return _SPACES.sub(" ", line)


EXTRACTOR = Extractor(read, in_one_go=True)
