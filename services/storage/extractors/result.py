"""What an extraction gives, typed: the one result the extractors return, the child
process prints (as JSON, ``as_answer``) and the service records."""
from __future__ import annotations

from dataclasses import asdict, dataclass

OK = "ok"
EMPTY = "empty"
FAILED = "failed"
NONE = "none"          # a kind that is not extracted (xls, xlsx)
STATUSES = (OK, EMPTY, FAILED, NONE)

#: Reasons are stored and shown to administrators: long enough for a parser's
#: message, short enough for a row.
MAX_REASON_CHARS = 1000


@dataclass(frozen=True)
class Extraction:
    status: str                 # ok | empty | failed | none
    text: str = ""
    method: str | None = None   # "text", or "ocr" when any of the text came from OCR
    error: str | None = None    # why it failed (English, for administrators)
    truncated: bool = False     # some text is missing (a page, character or OCR cap)
    pages: int | None = None    # pages of a PDF, frames of an image
    ocr_pages: int = 0          # how many of them were OCR'd
    note: str | None = None     # why text is missing although ok (OCR cap, time limit)

    @property
    def length(self) -> int:
        return len(self.text)

    def as_answer(self) -> dict:
        """The JSON object the child prints on stdout (``from_answer`` reads it)."""
        return asdict(self)

    @classmethod
    def from_answer(cls, answer) -> Extraction | None:
        """The child's answer as a result; None if it is not one (a crash's output)."""
        if not isinstance(answer, dict) or answer.get("status") not in STATUSES:
            return None
        if answer["status"] == FAILED:
            return failed(str(answer.get("error") or "extraction failed"))
        return cls(status=answer["status"], text=answer.get("text") or "",
                   method=answer.get("method"), error=None,
                   truncated=bool(answer.get("truncated")), pages=answer.get("pages"),
                   ocr_pages=int(answer.get("ocr_pages") or 0), note=answer.get("note"))


NOT_EXTRACTED = Extraction(status=NONE)


def failed(reason: str) -> Extraction:
    return Extraction(status=FAILED, error=reason[:MAX_REASON_CHARS])
