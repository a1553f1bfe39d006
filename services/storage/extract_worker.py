"""Text extraction in a child process (``extraction.py`` starts it), so parsing never
blocks the service's eventlet hub and a hostile file can only hurt this process:

    python -m services.storage.extract_worker PATH KIND [--memory-mb N]
        [--max-pages N] [--max-chars N]

Prints one JSON object on stdout:
``{"status": "ok"|"empty"|"none"|"failed", "text": str, "method": "text",
"pages": int|null, "truncated": bool, "error": str|null}``.

The address space is capped with RLIMIT_AS (a memory bomb ends in MemoryError, not
in the machine swapping), CPU time with RLIMIT_CPU as a backstop to the parent's
wall-clock timeout, and the text with a page and a character cap.

Kinds handled now: pdf (pypdf), docx (python-docx), txt. The others (doc, xls, xlsx,
odt, and OCR of scanned PDFs and images with Tesseract ``vie``) answer ``none``:
they come with a later issue.
"""
from __future__ import annotations

import argparse
import json
import sys

DEFAULT_MEMORY_MB = 1536
DEFAULT_MAX_PAGES = 500
DEFAULT_MAX_CHARS = 2_000_000
CPU_SECONDS = 600


def apply_limits(memory_mb: int) -> None:
    import resource

    limit = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or hard > CPU_SECONDS:
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, hard))


class _Collector:
    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self.parts: list[str] = []
        self.length = 0
        self.truncated = False

    def add(self, text: str) -> bool:
        """Append ``text``; False once the cap is reached."""
        text = text.replace("\x00", "")   # PostgreSQL text cannot hold NUL
        if not text:
            return True
        room = self.max_chars - self.length
        if len(text) > room:
            text = text[:max(room, 0)]
            self.truncated = True
        self.parts.append(text)
        self.length += len(text)
        return not self.truncated

    def text(self) -> str:
        return "\n".join(self.parts)


def extract_pdf(path: str, collector: _Collector, max_pages: int) -> int:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(path)
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception as exc:  # noqa: BLE001 - reported to the parent as the reason
            raise ValueError(f"encrypted PDF: {exc}")
    count = len(reader.pages)
    for index, page in enumerate(reader.pages):
        if index >= max_pages:
            collector.truncated = True
            break
        if not collector.add((page.extract_text() or "").strip()):
            break
    return count


def extract_docx(path: str, collector: _Collector) -> None:
    import docx

    document = docx.Document(path)
    body = document.element.body
    # paragraphs and tables in document order
    for block in body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(node.text or "" for node in block.iter()
                           if node.tag.endswith("}t"))
            if not collector.add(text):
                return
        elif tag == "tbl":
            for row in block.iter():
                if not row.tag.endswith("}tr"):
                    continue
                cells = []
                for cell in row.iter():
                    if cell.tag.endswith("}tc"):
                        cells.append("".join(node.text or "" for node in cell.iter()
                                             if node.tag.endswith("}t")))
                if not collector.add("\t".join(cells)):
                    return


def extract_txt(path: str, collector: _Collector) -> None:
    with open(path, "rb") as handle:
        data = handle.read(collector.max_chars * 4 + 4)
    text = data.decode("utf-8-sig", errors="replace")
    collector.add(text)


def extract(path: str, kind: str, max_pages: int, max_chars: int) -> dict:
    collector = _Collector(max_chars)
    pages = None
    if kind == "pdf":
        pages = extract_pdf(path, collector, max_pages)
    elif kind == "docx":
        extract_docx(path, collector)
    elif kind == "txt":
        extract_txt(path, collector)
    else:
        return {"status": "none", "text": "", "method": None, "pages": None,
                "truncated": False, "error": None}
    text = collector.text().strip()
    return {"status": "ok" if text else "empty", "text": text, "method": "text",
            "pages": pages, "truncated": collector.truncated, "error": None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="extract_worker")
    parser.add_argument("path")
    parser.add_argument("kind")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB)
    parser.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES)
    parser.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS)
    options = parser.parse_args(argv)
    try:
        apply_limits(options.memory_mb)
        result = extract(options.path, options.kind, options.max_pages, options.max_chars)
        code = 0
    except MemoryError:
        result = {"status": "failed", "error": "out of memory while extracting text"}
        code = 3
    except Exception as exc:  # noqa: BLE001 - any parser failure is a recorded outcome
        result = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:1000]}
        code = 2
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    sys.stdout.buffer.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
