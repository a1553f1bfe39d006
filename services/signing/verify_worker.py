"""Verification of one PDF's signatures in a child process (``verification.verify_in_child``
starts it), so a hostile file can only exhaust this process:

    python -m services.signing.verify_worker < request

The request on stdin is one JSON line of options (``verification.child_request``: trust
roots, now, online, limits) followed by the PDF's bytes; the report (``verify_pdf``'s dict)
is printed on stdout as JSON. The address space (RLIMIT_AS) and CPU time (RLIMIT_CPU) are
capped by the parent before this starts; its wall-clock timeout kills this process. This
process never runs eventlet: pyHanko's asyncio runs as it is meant to.
"""
from __future__ import annotations

import json
import logging
import sys


def main() -> int:
    from services.signing.verification import read_child_request, verify_pdf

    # pyHanko logs each failed check with its traceback; the report already says it
    logging.basicConfig(level=logging.ERROR)
    pdf, options = read_child_request(sys.stdin.buffer.read())
    report = verify_pdf(pdf, **options)
    sys.stdout.buffer.write(json.dumps(report, ensure_ascii=False).encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
