"""Running text extraction off the eventlet hub.

Parsing a PDF or OCR'ing a scan is CPU work: in a worker it would starve the hub
(heartbeats stop, the broker redelivers, the work runs twice). So each extraction
runs in a child process (``extract_worker.main``), waited on with green sockets and
pipes: the hub keeps serving while the child parses, and a hostile file can only
exhaust the child's own limits — a wall-clock timeout here
(EXTRACTION_TIMEOUT_SECONDS; the child's own process group, with the tools it runs,
is killed when it is reached), an address-space limit (RLIMIT_AS), a CPU limit, page,
character, pixel and zip-bomb caps there.

The process model. The child is forked by the process's extraction fork server
(``ForkServer``, ``FORK_SERVER``; the server side and what it does and does not protect
against compared with a fresh process: ``fork_server``): one warm helper per storage
process, started on the first extraction with the scrubbed environment and the
extractors already imported, restarted when it has died, stopped with the service. Per
file, storage sends it the worker's arguments and the child's environment with the
child's stdin (/dev/null), stdout and stderr pipes (``socket.send_fds``); it forks a
child that calls ``setsid``, takes those descriptors and runs ``extract_worker.main``,
answers with its pid (for the timeout's ``killpg``), reaps it and sends its exit status
and CPU. The interpreter's start-up and the imports are no longer paid per file
(≈ 110 → 40 ms of CPU for a one-page PDF, docs/performance.md). When the server cannot
be used (it failed to start, is dead or hung, could not fork) the file gets a fresh
process as before, ``python -S -m services.storage.extract_worker`` started with green
``subprocess``; when the server dies while its child works and the child leaves no
answer, the file is extracted again in a fresh process, within what is left of the
timeout. EXTRACTION_FORK_SERVER=false (``Settings.extraction_fork_server``) gives every
file a fresh process.

Whatever happens (timeout, crash, corrupt file) the result is a status the service
records: never an exception that would lose the file's outcome.

Kinds extracted: pdf (text layer; OCR of pages without one), docx, doc (antiword),
odt, png/jpeg/tiff (OCR, Tesseract ``vie``) and txt; xls and xlsx answer ``none``.
OCR is tuned by the deployment's settings (``services.common.config``: OCR_MAX_PAGES,
default 50 pages a file, OCR_DPI 300, OCR_MAX_PIXELS 40 M a page, OCR_LANG ``vie``),
which the service passes here (``ocr_options``).
OCR stops early, keeping what it read, when the next page would not finish before
the timeout: the result is then ``truncated`` and its ``note`` says so.

Progress: the child writes ``PROGRESS <done> <total>`` lines on its stderr as it goes
(pages read or OCR'd out of pages to read; 0/1 then 1/1 for the kinds read in one
go). Both pipes are read by green threads while the child runs (stdout, the answer,
may exceed a pipe's buffer: reading one pipe only could deadlock), so the hub keeps
serving; the latest progress goes to ``on_progress`` at most every
PROGRESS_INTERVAL_SECONDS (the service keeps it on the file's row). Other stderr lines
are diagnostics, the tail of which names a crash.
"""
from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import time
from collections.abc import Callable
from contextlib import contextmanager

import eventlet
import eventlet.semaphore
from eventlet import greenio
from eventlet.green import socket as green_socket
from eventlet.green import subprocess
from eventlet.hubs import trampoline
from eventlet.queue import Empty, Full, LightQueue

from services.common.config import (DEFAULT_OCR_DPI, DEFAULT_OCR_LANG, DEFAULT_OCR_MAX_PAGES,
                                    DEFAULT_OCR_MAX_PIXELS, Settings)
from services.storage.extract_worker import (DEFAULT_MEMORY_MB, PROGRESS_PREFIX, command_line,
                                             fork_server_command_line, worker_arguments)
from services.storage.extractors import EXTRACTABLE_KINDS
from services.storage.extractors.limits import DEFAULT_MAX_CHARS, DEFAULT_MAX_PAGES, Limits
from services.storage.extractors.result import NOT_EXTRACTED, Extraction, failed
from services.storage.extractors.sandbox import make_non_dumpable, scrubbed_env

log = logging.getLogger(__name__)

#: The child stops starting OCR pages this long before the timeout, to answer in time.
TIME_MARGIN_SECONDS = 3.0
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: The latest progress is handed on at most this often: a database write a second,
#: not one a page when pages are quick.
PROGRESS_INTERVAL_SECONDS = 1.0
#: A stderr line longer than this is not a progress line (it is kept as diagnostics).
MAX_LINE_BYTES = 4096
#: How much of the child's other stderr output is kept to name a crash.
STDERR_TAIL_BYTES = 8192


#: What a failure's reason (English, kept for administrators) means to the people who
#: attached the file, by words the reason holds: (words, Vietnamese, English).
_FAILURE_MESSAGES = (
    (("encrypted",), "Tệp có mật khẩu nên không đọc được nội dung.",
     "The file is password-protected, so its text cannot be read."),
    (("zip bomb",), "Tệp nén bất thường (nghi là “bom nén”) nên không được đọc, để bảo vệ "
                    "hệ thống.",
     "The file's compression is abnormal (a suspected zip bomb), so it is not read, "
     "to protect the system."),
    (("image too large",), "Ảnh quá lớn để nhận dạng chữ.",
     "The image is too large to read by OCR."),
    (("not a readable", "not a valid", "not an odt", "not well-formed", "content.xml"),
     "Tệp bị hỏng hoặc không đúng định dạng nên không đọc được nội dung.",
     "The file is damaged or not what its type says, so its text cannot be read."),
    (("timed out", "did not finish within", "no time left"),
     "Đọc nội dung tệp quá thời gian cho phép.",
     "Reading the file's text took longer than allowed."),
    (("gave up after",), "Đã thử đọc nội dung nhiều lần nhưng không được.",
     "Reading the file's text failed several times."),
)


def failure_message(reason: str | None) -> dict[str, str]:
    """A failed extraction told to people, in Vietnamese and English: why the file
    cannot be found by its content; the file itself is kept and can be opened."""
    text = (reason or "").lower()
    for words, vi, en in _FAILURE_MESSAGES:
        if any(word in text for word in words):
            return {"vi": vi, "en": en}
    return {"vi": "Không đọc được nội dung tệp.", "en": "The file's text could not be read."}


class ExtractionSlots:
    """At most ``limit`` extractions at once in one storage process
    (MAX_CONCURRENT_EXTRACTIONS): each is a child process that may take hundreds of MB
    and a core, so a burst of uploads waits its turn instead of starting them all."""

    def __init__(self, limit: int):
        self.limit = limit
        self._semaphore = eventlet.semaphore.Semaphore(limit)
        self.running = 0
        self.waiting = 0

    @contextmanager
    def slot(self):
        self.waiting += 1
        try:
            self._semaphore.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._semaphore.release()


def ocr_options(settings: Settings) -> dict:
    """``run_extraction``'s OCR arguments from the deployment's settings."""
    return {"ocr_max_pages": settings.ocr_max_pages, "ocr_dpi": settings.ocr_dpi,
            "ocr_max_pixels": settings.ocr_max_pixels, "ocr_lang": settings.ocr_lang}


_PROGRESS_LINE = re.compile(re.escape(PROGRESS_PREFIX.encode()) + rb" (\d{1,9}) (\d{1,9})\r?")


def parse_progress(line: bytes) -> tuple[int, int] | None:
    """``(done, total)`` of a child's ``PROGRESS <done> <total>`` line (without its
    newline); None for any other line, or for more done than there is to do."""
    found = _PROGRESS_LINE.fullmatch(line)
    if found is None:
        return None
    done, total = int(found.group(1)), int(found.group(2))
    return (done, total) if done <= total else None


class ProgressThrottle:
    """Hands the latest ``(done, total)`` on to ``write`` at most every ``interval``
    seconds: the first at once, later ones when the interval since the last write has
    passed — the newest then, those in between are skipped. ``due_in`` tells a caller
    that waits for more when the one held back is due. A failing ``write`` is logged
    and skipped: progress never costs an extraction its outcome."""

    def __init__(self, write: Callable[[int, int], None],
                 interval: float = PROGRESS_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.write = write
        self.interval = interval
        self.clock = clock
        self.written: tuple[int, int] | None = None   # the last handed on
        self.held: tuple[int, int] | None = None      # a newer one, not yet handed on
        self.last_write: float | None = None

    def update(self, done: int, total: int) -> None:
        self.held = None if (done, total) == self.written else (done, total)
        self.flush_if_due()

    def due_in(self) -> float | None:
        """Seconds until the progress held back is due (0: now); None if none is."""
        if self.held is None:
            return None
        if self.last_write is None:
            return 0.0
        return max(self.last_write + self.interval - self.clock(), 0.0)

    def flush_if_due(self) -> None:
        if self.held is None or self.due_in() > 0.0:
            return
        value, self.held = self.held, None
        self.written, self.last_write = value, self.clock()
        try:
            self.write(*value)
        except Exception:  # noqa: BLE001 - progress is best effort; the outcome is not
            log.warning("could not record extraction progress %s/%s", *value,
                        exc_info=True)


class _ChildOutput:
    """What a green thread reads from the child's stderr while it runs: the latest
    progress, and the tail of everything else. ``changed`` holds one token when
    something new arrived (or the pipe closed) since the last look."""

    def __init__(self):
        self.progress: tuple[int, int] | None = None
        self.tail = bytearray()
        self.closed = False
        self.changed = LightQueue(maxsize=1)

    def _take(self, line: bytes) -> None:
        parsed = parse_progress(line) if len(line) <= MAX_LINE_BYTES else None
        if parsed is not None:
            self.progress = parsed
        else:
            self.tail += line + b"\n"
            del self.tail[:-STDERR_TAIL_BYTES]

    def _signal(self) -> None:
        try:
            self.changed.put_nowait(True)
        except Full:
            pass            # a token is already waiting

    def read(self, pipe) -> None:
        partial = b""
        try:
            while True:
                chunk = pipe.read(65536)
                if not chunk:
                    break
                *lines, partial = (partial + chunk).split(b"\n")
                if len(partial) > MAX_LINE_BYTES:      # no progress line is this long
                    lines.append(partial)
                    partial = b""
                for line in lines:
                    self._take(line)
                self._signal()
            if partial:
                self._take(partial)
        finally:
            self.closed = True
            self._signal()

    def diagnostics(self) -> str:
        return bytes(self.tail).decode("utf-8", "replace").strip()[-500:]


def hide_environment_from_children() -> bool:
    """Make this process non-dumpable, so that a process of the same Unix user — the
    extraction child, or a tool it runs, taken over by a hostile file — can neither read
    this process's ``/proc/<pid>/environ`` (where the deployment's secrets are) nor
    ptrace it. The child's own environment is scrubbed (scrubbed_env); this closes the
    way round. True if done (Linux only). Costs: no core dumps of storage."""
    return make_non_dumpable()


# ---------------------------------------------------------------- the fork server

#: How long storage waits for the fork server's answer to a request (the child's pid;
#: a server just started imports the extractors first) before giving it up as hung.
FORK_SERVER_REPLY_SECONDS = 30.0
#: A fork server that failed before serving anything is not started again for this
#: long, doubled while it keeps failing (up to FORK_SERVER_MAX_RETRY_SECONDS); one
#: that died after serving is started again at the next extraction.
FORK_SERVER_RETRY_SECONDS = 5.0
FORK_SERVER_MAX_RETRY_SECONDS = 300.0
#: How long a stopped fork server has to exit before it is killed.
FORK_SERVER_STOP_SECONDS = 5.0
_MAX_REPLY_BYTES = 4096


class ForkedChild:
    """An extraction child forked by the fork server: what ``run_extraction`` needs of
    a ``Popen`` (``pid``, ``stdout``, ``stderr``, ``wait``, ``kill``, ``returncode``),
    its exit status and CPU told by the server. ``lost``: the server died before
    telling them (the child itself may have answered on stdout all the same)."""

    def __init__(self, pid: int, replies, stdout, stderr):
        self.pid = pid
        self.stdout, self.stderr = stdout, stderr
        self.returncode: int | None = None
        self.cpu_seconds: float | None = None       # the child's and its tools'
        self.lost = False
        self._replies = replies

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit status (as ``Popen.returncode``), None if the server could not tell
        it (it died, or said nothing for ``timeout`` seconds)."""
        if self.returncode is not None or self.lost:
            return self.returncode
        reply = _receive(self._replies, timeout)
        if reply is None or "status" not in reply:
            self.lost = True
        else:
            self.returncode = int(reply["status"])
            self.cpu_seconds = reply.get("cpu")
        self._replies.close()
        return self.returncode

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def close(self) -> None:
        for resource in (self.stdout, self.stderr, self._replies):
            resource.close()


class ForkServer:
    """Storage's side of the extraction fork server (``fork_server`` says what it is,
    its protocol and what it protects): one per process (``FORK_SERVER``), started on
    first use with the scrubbed environment, restarted when it has died, stopped with
    the service (``stop``). ``start_child`` asks it for a child; None whenever it
    cannot be used, and the caller starts a fresh process instead."""

    def __init__(self, command: Callable[[int], list[str]] = fork_server_command_line):
        self.command = command
        self.process = None
        self.control = None
        self._owner: int | None = None       # the pid that started it (not a fork of it)
        self._served = False
        self._retry_at = 0.0
        self._retry_delay = FORK_SERVER_RETRY_SECONDS
        self._starting = eventlet.semaphore.Semaphore(1)

    def start_child(self, argv: list[str], env: dict[str, str]) -> ForkedChild | None:
        """A child forked by the server that runs ``extract_worker.main(argv)`` with
        ``env`` as its environment, /dev/null as stdin and pipes to this process as
        stdout and stderr; None if the server cannot be used (not started, dead, hung,
        or it could not fork)."""
        control = self._control()
        if control is None:
            return None
        ours, theirs = green_socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        stdin = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        reply = None
        try:
            request = json.dumps({"argv": argv, "env": env}).encode()
            _send_fds(control, request, [theirs.fileno(), stdin, stdout_write, stderr_write])
            sent = True
        except OSError as exc:
            sent = False
            self._failed(control, f"could not be sent a request ({exc})")
        finally:
            # the server has its own copies now: ours closed, the end of its reply
            # socket (a dead server) and of the pipes (an exited child) are seen
            for fd in (stdin, stdout_write, stderr_write):
                os.close(fd)
            theirs.close()
        if sent:
            reply = _receive(ours, FORK_SERVER_REPLY_SECONDS)
            if reply is None:
                self._failed(control, "did not answer (dead or hung)")
        if reply is None or "pid" not in reply:
            if reply is not None:
                log.warning("extraction fork server: %s", reply.get("error"))
            ours.close()
            os.close(stdout_read)
            os.close(stderr_read)
            return None
        self._served = True
        return ForkedChild(int(reply["pid"]), ours, greenio.GreenPipe(stdout_read, "rb", 0),
                           greenio.GreenPipe(stderr_read, "rb", 0))

    def _control(self):
        """The control socket of a running server, started if need be; None if there is
        none (it failed lately, or cannot start)."""
        if self.control is not None and (self._owner != os.getpid()
                                         or self.process.poll() is not None):
            self._failed(self.control, "has exited")
        if self.control is not None or time.monotonic() < self._retry_at:
            return self.control
        with self._starting:            # one green thread starts it, the others wait
            if self.control is None and time.monotonic() >= self._retry_at:
                self._start()
        return self.control

    def _start(self) -> None:
        ours, theirs = green_socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                self.command(theirs.fileno()), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, pass_fds=[theirs.fileno()], cwd=ROOT,
                env=scrubbed_env(), start_new_session=True)
        except OSError as exc:
            ours.close()
            self._failed(None, f"could not start ({exc})")
            return
        finally:
            theirs.close()
        self.control, self._owner, self._served = ours, os.getpid(), False

    def _failed(self, control, why: str) -> None:
        """Forget the server whose control socket is ``control`` (stopped in the
        background; not one started since); when it had not served yet, do not start
        another for a while."""
        if control is not self.control:
            return
        log.warning("extraction fork server %s: extraction runs in a fresh process", why)
        if self._served:
            self._retry_at, self._retry_delay = 0.0, FORK_SERVER_RETRY_SECONDS
        else:
            self._retry_at = time.monotonic() + self._retry_delay
            self._retry_delay = min(self._retry_delay * 2, FORK_SERVER_MAX_RETRY_SECONDS)
        control, process, owner = self.control, self.process, self._owner
        self.control = self.process = self._owner = None
        self._served = False
        if control is not None:
            control.close()
        if process is not None and owner == os.getpid():
            eventlet.spawn(_stop_server, process)

    def stop(self) -> None:
        """Stop the server (the service stops): it kills the children it still has."""
        control, process, owner = self.control, self.process, self._owner
        self.control = self.process = self._owner = None
        if control is not None:
            control.close()             # the server sees the end of its socket: it exits
        if process is not None and owner == os.getpid():
            _stop_server(process)


def _stop_server(process) -> None:
    try:
        process.wait(timeout=FORK_SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _send_fds(sock, data: bytes, fds: list[int]) -> None:
    """``socket.send_fds`` on a green socket: waits (green) while its buffer is full."""
    while True:
        try:
            socket.send_fds(sock, [data], fds)
            return
        except BlockingIOError:
            trampoline(sock.fileno(), write=True)


def _receive(sock, timeout: float | None) -> dict | None:
    """The next JSON message on ``sock``; None at its end, on an error or after
    ``timeout`` seconds."""
    waited = eventlet.Timeout(timeout)
    try:
        data = sock.recv(_MAX_REPLY_BYTES)
        return json.loads(data) if data else None
    except eventlet.Timeout as exc:
        if exc is not waited:
            raise
        return None
    except (OSError, ValueError):
        return None
    finally:
        waited.cancel()


#: The process's fork server.
FORK_SERVER = ForkServer()


def stop_fork_server() -> None:
    """Stop the process's fork server (started again on the next extraction)."""
    FORK_SERVER.stop()


# ---------------------------------------------------------------- one extraction

def _kill(process) -> None:
    """Kill the child and whatever it started (pdftoppm, tesseract): its own group."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    if isinstance(process, ForkedChild):
        process.wait(FORK_SERVER_REPLY_SECONDS)
    else:
        process.wait()


def run_extraction(path: str, kind: str, timeout: float,
                   memory_mb: int = DEFAULT_MEMORY_MB,
                   max_pages: int = DEFAULT_MAX_PAGES,
                   max_chars: int = DEFAULT_MAX_CHARS,
                   ocr_max_pages: int = DEFAULT_OCR_MAX_PAGES,
                   ocr_dpi: int = DEFAULT_OCR_DPI,
                   ocr_max_pixels: int = DEFAULT_OCR_MAX_PIXELS,
                   ocr_lang: str = DEFAULT_OCR_LANG,
                   on_progress: Callable[[int, int], None] | None = None,
                   progress_interval: float | None = None,
                   use_fork_server: bool = True) -> Extraction:
    """Extract the text of the file at ``path`` (of ``kind``) in a child process: one
    forked by the process's fork server (``use_fork_server``, the default; the setting
    EXTRACTION_FORK_SERVER), else, or when that server cannot be used or dies before
    the child answered, a fresh process (within what is left of ``timeout``).
    ``on_progress(done, total)`` is called, from this green thread, with the child's
    latest progress at most every ``progress_interval`` seconds (by default
    PROGRESS_INTERVAL_SECONDS) while it runs."""
    if kind not in EXTRACTABLE_KINDS:
        return NOT_EXTRACTED
    budget = max(timeout - min(TIME_MARGIN_SECONDS, timeout * 0.2), 0.0)
    limits = Limits(max_pages=max_pages, max_chars=max_chars, time_budget=budget,
                    ocr_max_pages=ocr_max_pages, ocr_dpi=ocr_dpi,
                    ocr_max_pixels=ocr_max_pixels, ocr_lang=ocr_lang)
    ends = time.monotonic() + timeout
    interval = PROGRESS_INTERVAL_SECONDS if progress_interval is None else progress_interval
    if use_fork_server:
        child = FORK_SERVER.start_child(worker_arguments(path, kind, limits, memory_mb),
                                        scrubbed_env())
        if child is not None:
            result = _follow(child, timeout, ends, on_progress, interval)
            if result is not None:
                return result
            log.warning("the extraction fork server died before the child of %s answered: "
                        "extracting it again in a fresh process", kind)
    command = command_line(path, kind, limits, memory_mb)
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   cwd=ROOT, close_fds=True, start_new_session=True,
                                   env=scrubbed_env())
    except OSError as exc:
        return failed(f"could not start the extraction worker: {exc}")
    return _follow(process, timeout, ends, on_progress, interval)


def _follow(process, timeout: float, ends: float,
            on_progress: Callable[[int, int], None] | None,
            interval: float) -> Extraction | None:
    """The outcome of a child started (a ``Popen`` or a ``ForkedChild``): its progress
    handed on while it runs, killed with its group at ``ends`` (``time.monotonic``).
    None only when a forked child's server died and the child left no answer."""
    deadline = eventlet.Timeout(max(ends - time.monotonic(), 0.0))
    output = _ChildOutput()
    throttle = ProgressThrottle(on_progress or (lambda done, total: None), interval)
    stdout_reader = eventlet.spawn(process.stdout.read)
    stderr_reader = eventlet.spawn(output.read, process.stderr)
    try:
        while not output.closed:
            try:
                output.changed.get(timeout=throttle.due_in())
            except Empty:
                pass
            if output.progress is not None:
                throttle.update(*output.progress)
            throttle.flush_if_due()
        stdout = stdout_reader.wait()
        process.wait()
    except eventlet.Timeout as exc:
        if exc is not deadline:
            raise
        _kill(process)
        return failed(f"extraction timed out after {timeout:g} s")
    except BaseException:
        _kill(process)
        raise
    finally:
        deadline.cancel()
        stdout_reader.kill()
        stderr_reader.kill()
        if isinstance(process, ForkedChild):
            process.close()
    try:
        answer = json.loads(stdout.decode("utf-8")) if stdout else None
    except ValueError:
        answer = None
    result = Extraction.from_answer(answer)
    if result is None:
        if isinstance(process, ForkedChild) and process.lost:
            return None
        tail = output.diagnostics()
        return failed(f"extraction worker exited with code {process.returncode}"
                      + (f": {tail}" if tail else ""))
    return result
