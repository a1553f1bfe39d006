"""Text extraction in a child process (``extraction.py`` starts it), so parsing never
blocks the service's eventlet hub and a hostile file can only hurt this process:

    python -S -m services.storage.extract_worker PATH KIND [--memory-mb N]
        [--max-pages N] [--max-chars N] [--time-budget SECONDS]
        [--ocr-max-pages N] [--ocr-dpi N] [--ocr-max-pixels N] [--ocr-lang LANG]

(``command_line`` builds it.) The reading itself is the extractors' (one module per
kind, ``services.storage.extractors``); this module is the process around them.

Usually ``main`` runs in a child forked by the fork server (``fork_server``, started as
``python -S -m services.storage.extract_worker --fork-server FD``), with the same
arguments (``worker_arguments``) and no start-up to pay. Started as a fresh process
(the fork server turned off or unavailable), its start-up is paid per file: it starts
without site-packages (``-S``; a reader that needs an installed package adds them, see
``sandbox.need_installed_packages``), imports only the reader of its file's kind, and
reads its arguments without argparse.

Reports progress on stderr while it works, one line at a time (other lines there are
diagnostics): ``PROGRESS <done> <total>``, pages done (read by their text layer or
OCR, or passed over at an OCR limit) out of the pages to read (of a PDF, up to
``--max-pages``; of an image, its frames up to ``--ocr-max-pages``), or, for the kinds
read in one go (docx, doc, odt, txt), ``0 1`` then ``1 1``.

Prints one JSON object on stdout, ``Extraction.as_answer()``:
``{"status": "ok"|"empty"|"none"|"failed", "text": str, "method": "text"|"ocr",
"pages": int|null, "ocr_pages": int, "truncated": bool, "note": str|null,
"error": str|null}``. ``method`` is ``ocr`` when any of the text came from OCR;
``ocr_pages`` counts the pages (or image frames) OCR'd; ``note`` says why text is
missing although the status is ``ok`` (OCR page cap or time budget reached, a page
that could not be read).

Limits: the address space is capped with RLIMIT_AS (a memory bomb ends in
MemoryError, not in the machine swapping), CPU time with RLIMIT_CPU as a backstop to
the parent's wall-clock timeout; both are inherited by the tools run here
(antiword, poppler's tools, tesseract), whose output files are capped with
RLIMIT_FSIZE and whose run time is bounded by what remains of ``--time-budget`` (and
OCR_PAGE_SECONDS a page). Zip-bomb, pixel, page and character caps are the
extractors' (``extractors.sandbox``, ``extractors.limits``): text read before a cap
is kept, ``truncated`` is set and ``note`` says why.
"""
from __future__ import annotations

import json
import os
import sys
from types import SimpleNamespace

from services.storage.extractors import extract
from services.storage.extractors.limits import CPU_SECONDS, Limits
from services.storage.extractors.result import FAILED, failed

DEFAULT_MEMORY_MB = 1536
#: How a progress line starts (see the module's docstring; the parent parses it).
PROGRESS_PREFIX = "PROGRESS"
#: Exit codes: a recorded failure, and running out of memory.
EXIT_FAILED = 2
EXIT_OUT_OF_MEMORY = 3
#: ``python -m services.storage.extract_worker --fork-server FD``: the fork server.
FORK_SERVER_OPTION = "--fork-server"


def command_line(path: str, kind: str, limits: Limits,
                 memory_mb: int = DEFAULT_MEMORY_MB) -> list[str]:
    """The command that runs this worker on ``path`` (``main`` reads it back)."""
    # -S: no site-packages at start (site's start-up is ≈ 15 ms of the child's CPU);
    # a reader that needs an installed package adds them (need_installed_packages).
    return [sys.executable, "-S", "-m", "services.storage.extract_worker",
            *worker_arguments(path, kind, limits, memory_mb)]


def fork_server_command_line(control_fd: int) -> list[str]:
    """The command that starts the fork server (``fork_server``) on the socket
    ``control_fd``: this module's, so that it is named as the extraction worker."""
    return [sys.executable, "-S", "-m", "services.storage.extract_worker",
            FORK_SERVER_OPTION, str(int(control_fd))]


def worker_arguments(path: str, kind: str, limits: Limits,
                     memory_mb: int = DEFAULT_MEMORY_MB) -> list[str]:
    """The arguments ``main`` reads: of the command line, or sent to the fork server."""
    budget = ([] if limits.time_budget is None
              else ["--time-budget", f"{limits.time_budget:.3f}"])
    return [os.path.abspath(path), kind, "--memory-mb", str(int(memory_mb)),
            "--max-pages", str(int(limits.max_pages)),
            "--max-chars", str(int(limits.max_chars)), *budget,
            "--ocr-max-pages", str(int(limits.ocr_max_pages)),
            "--ocr-dpi", str(int(limits.ocr_dpi)),
            "--ocr-max-pixels", str(int(limits.ocr_max_pixels)),
            "--ocr-lang", str(limits.ocr_lang)]


def report_progress(done: int, total: int) -> None:
    """``PROGRESS <done> <total>`` on stderr, flushed at once: the parent reads it while
    this process works. Progress never stops an extraction."""
    try:
        sys.stderr.write(f"{PROGRESS_PREFIX} {int(done)} {int(total)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def apply_limits(memory_mb: int) -> None:
    import resource

    limit = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or hard > CPU_SECONDS:
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, hard))


#: The options ``command_line`` writes, each followed by its value: (attribute, type).
_OPTIONS = {"--memory-mb": ("memory_mb", int), "--max-pages": ("max_pages", int),
            "--max-chars": ("max_chars", int), "--time-budget": ("time_budget", float),
            "--ocr-max-pages": ("ocr_max_pages", int), "--ocr-dpi": ("ocr_dpi", int),
            "--ocr-max-pixels": ("ocr_max_pixels", int), "--ocr-lang": ("ocr_lang", str)}


def _usage_error(message: str):
    sys.stderr.write(f"extract_worker: {message}\n")
    raise SystemExit(2)


def _arguments(argv):
    """``command_line``'s arguments read back: (options, Limits). Read by hand, not by
    argparse, whose import is ≈ 5 ms of a child started for every file."""
    defaults = Limits()
    values = {"memory_mb": DEFAULT_MEMORY_MB, "max_pages": defaults.max_pages,
              "max_chars": defaults.max_chars, "time_budget": None,
              "ocr_max_pages": defaults.ocr_max_pages, "ocr_dpi": defaults.ocr_dpi,
              "ocr_max_pixels": defaults.ocr_max_pixels, "ocr_lang": defaults.ocr_lang}
    positional = []
    arguments = iter(sys.argv[1:] if argv is None else argv)
    for argument in arguments:
        if argument in _OPTIONS:
            name, kind = _OPTIONS[argument]
            value = next(arguments, None)
            if value is None:
                _usage_error(f"{argument} needs a value")
            try:
                values[name] = kind(value)
            except ValueError:
                _usage_error(f"{argument}: not a {kind.__name__}: {value!r}")
        elif argument.startswith("--"):
            _usage_error(f"unknown option {argument}")
        else:
            positional.append(argument)
    if len(positional) != 2:
        _usage_error("expected PATH KIND")
    options = SimpleNamespace(path=positional[0], kind=positional[1], **values)
    limits = Limits(max_pages=options.max_pages, max_chars=options.max_chars,
                    time_budget=options.time_budget, ocr_max_pages=options.ocr_max_pages,
                    ocr_dpi=options.ocr_dpi, ocr_max_pixels=options.ocr_max_pixels,
                    ocr_lang=options.ocr_lang)
    return options, limits


def main(argv=None) -> int:
    options, limits = _arguments(argv)
    try:
        apply_limits(options.memory_mb)
        result = extract(options.path, options.kind, limits, progress=report_progress)
        code = EXIT_FAILED if result.status == FAILED else 0
    except MemoryError:
        result, code = failed("out of memory while extracting text"), EXIT_OUT_OF_MEMORY
    except ImportError as exc:
        # RLIMIT_AS reached while loading a parser's shared library
        reason = ("out of memory while loading the parser" if "map segment" in str(exc)
                  or "allocate memory" in str(exc) else f"ImportError: {exc}")
        result, code = failed(reason), EXIT_OUT_OF_MEMORY
    except Exception as exc:  # noqa: BLE001 - any parser failure is a recorded outcome
        result, code = failed(f"{type(exc).__name__}: {exc}"), EXIT_FAILED
    sys.stdout.buffer.write(json.dumps(result.as_answer(), ensure_ascii=False).encode())
    sys.stdout.buffer.flush()
    return code


if __name__ == "__main__":
    if sys.argv[1:2] == [FORK_SERVER_OPTION] and len(sys.argv) == 3:
        from services.storage.fork_server import serve
        sys.exit(serve(int(sys.argv[2])))
    sys.exit(main())
