"""The extraction fork server: one warm helper process per storage process that forks
the extraction child of each file, so that the child pays neither the interpreter's
start-up nor the extractors' imports (≈ 50 ms of CPU a file; docs/performance.md).

    python -S -m services.storage.extract_worker --fork-server FD

Storage starts it on first use (``extraction.ForkServer``) with the scrubbed
environment, and ``FD``, its end of a Unix socket pair (SOCK_SEQPACKET: one message is
one datagram). It imports the extractors, then serves until that socket is closed
(storage stopped or died): it then kills its children's process groups, reaps them and
exits. Storage restarts it if it dies, and runs the extraction in a fresh process
(``command_line``) whenever it cannot use it: no extraction's outcome depends on it.

The protocol, JSON on SOCK_SEQPACKET sockets:

- request (storage → server, on ``FD``), with four descriptors (SCM_RIGHTS): a reply
  socket (one per extraction), the child's stdin (/dev/null), stdout and stderr (pipes
  whose other ends storage reads): ``{"argv": [...], "env": {...}}``, ``argv`` what
  ``extract_worker.worker_arguments`` gives (the command line's arguments), ``env`` the
  child's whole environment (the scrubbed one, as storage has it at that moment: tests
  change PATH);
- replies (server → storage, on the reply socket): ``{"pid": N}`` once the child is the
  leader of its own session and process group (so that ``killpg(N)`` takes it and the
  tools it runs), or ``{"error": "..."}`` if it could not fork; then, once the child has
  exited and been reaped, ``{"status": S, "cpu": SECONDS}``: ``S`` as
  ``Popen.returncode`` gives it (negative: killed by that signal), ``SECONDS`` the CPU
  of the child and of the tools it waited for (``wait4``'s rusage). The server closes
  the reply socket then.

The child, right after ``fork``: closes the control socket and every other descriptor
but its three (the other extractions' reply sockets and pipes), calls ``setsid``,
takes the stdin, stdout and stderr it was sent, resets the signal handlers the server
set, takes the environment it was sent, and runs ``extract_worker.main(argv)`` (which
sets the rlimits, ``apply_limits``, and prints the answer), then ``os._exit``.

What it protects, compared with a fresh process per file:

- the same: the child has the scrubbed environment, the same rlimits (RLIMIT_AS,
  RLIMIT_CPU; RLIMIT_FSIZE for the tools), its own process group killed at the
  timeout, the same Unix user as storage (so it can still read what that user can
  read: see docs/security.md);
- the server holds nothing secret, and must not: it is started with the scrubbed
  environment and imports only the extractors, since every child starts as a copy of
  its memory. It is non-dumpable, so a child (or a tool it runs) taken over by a
  hostile file can neither ptrace it nor read its memory or ``/proc/<pid>/environ``;
  the children inherit that, so one of them cannot ptrace another to read or change
  another file's text either (a fresh process per file was dumpable: only Yama, where
  enabled, kept two extractions apart). The tools a child runs (exec) are dumpable,
  as before;
- a child never holds the server's socket nor another extraction's descriptors (closed
  right after ``fork``), so it cannot ask the server for anything or see another
  extraction's pipes or status; the reply sockets are a socket pair's ends, with no
  name in the file system to connect to;
- what is weaker: every child starts from the same memory image, so the address-space
  layout (ASLR) and the hash seed are chosen once per server, not once per file: an
  exploit that learned one child's addresses (e.g. leaked in the text it extracted)
  can reuse them against the next files until the server is restarted. A child's
  address-space limit also counts the server's mappings it inherits (≈ 40 MB of the
  default 1,536 MB). A child cannot change the server's memory or another child's
  (copy-on-write).
- one race, as with any parent that is not the reaper: storage ``killpg``s the child's
  group at its timeout; if the child had exited and been reaped, and its tools too,
  just before, the number could in principle have been given to a new group meanwhile
  (Linux hands out pids in turn: it would have to come round all of them).
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys

#: A request is a few hundred bytes (arguments and environment); anything longer is refused.
MAX_REQUEST_BYTES = 65536
#: The descriptors a request carries: reply socket, stdin, stdout, stderr.
REQUEST_FDS = 4


def preload() -> None:
    """Import what the children need, once, here: the worker, every kind's reader, and
    what the common kinds use at run time (the installed packages python-docx and
    defusedxml for DOCX and ODT, zipfile, the rlimits). Pillow and pypdf are left to
    the children that need them (images, which OCR takes seconds to read anyway, and
    PDFs where poppler's tools are missing)."""
    import resource  # noqa: F401 - apply_limits'
    import traceback  # noqa: F401 - a crashing child's report
    import zipfile  # noqa: F401 - DOCX, ODT

    from services.storage import extract_worker  # noqa: F401
    from services.storage.extractors import MODULES, extractor_for
    from services.storage.extractors.sandbox import need_installed_packages

    for kind in MODULES:
        extractor_for(kind)
    need_installed_packages()
    import defusedxml.ElementTree  # noqa: F401 - ODT
    import docx  # noqa: F401 - python-docx, with lxml


def serve(control_fd: int) -> int:
    """Serve fork requests on ``control_fd`` until it is closed; the exit code."""
    from services.storage.extractors.sandbox import make_non_dumpable

    make_non_dumpable()
    control = socket.socket(fileno=control_fd)
    control.setblocking(True)       # storage's end is a green (non-blocking) socket
    preload()
    import gc
    gc.freeze()     # the preloaded objects stay shared with the children (copy-on-write)

    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # wakes the selector

    children: dict[int, socket.socket] = {}     # pid -> its reply socket
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    server = _Server(control, selector, children, (wake_read, wake_write))
    while True:
        for key, _ in selector.select():
            if key.fileobj is control:
                if not server.take_request():
                    server.stop()
                    return 0
            else:
                try:
                    while os.read(wake_read, 512):
                        pass
                except BlockingIOError:
                    pass
        server.reap()


class _Server:
    """The server's state: its control socket and the reply socket of each child."""

    def __init__(self, control, selector, children, wake_fds):
        self.control, self.selector, self.children = control, selector, children
        self.wake_fds = wake_fds

    def take_request(self) -> bool:
        """Fork a child for the next request; False when the control socket is closed."""
        try:
            message, fds, flags, _ = socket.recv_fds(self.control, MAX_REQUEST_BYTES,
                                                     REQUEST_FDS)
        except (ConnectionError, OSError):
            return False
        if not message and not fds:
            return False
        if len(fds) != REQUEST_FDS or flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
            why = f"malformed request ({len(fds)} descriptors, flags {flags})"
            if fds:         # the reply socket, if any, is told (not left waiting)
                refused = socket.socket(fileno=fds[0])
                _send(refused, {"error": why})
                refused.close()
            self._close(fds[1:])
            _log(f"refused a {why}")
            return True
        reply = socket.socket(fileno=fds[0])
        reply.setblocking(True)
        stdio = fds[1:]
        try:
            request = json.loads(message)
            argv = [str(argument) for argument in request["argv"]]
            env = {str(name): str(value) for name, value in request["env"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self._close(stdio)
            _send(reply, {"error": f"malformed request: {exc}"})
            reply.close()
            return True
        try:
            pid = self._fork(argv, env, stdio)
        except OSError as exc:
            _send(reply, {"error": f"could not fork: {exc}"})
            reply.close()
            return True
        finally:
            self._close(stdio)
        self.children[pid] = reply
        _send(reply, {"pid": pid})
        return True

    def _fork(self, argv: list[str], env: dict[str, str], stdio: list[int]) -> int:
        """The child's pid, once it is in its own session (it closes ``ready``'s write
        end after ``setsid``: until then a ``killpg`` would miss it)."""
        ready_read, ready_write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:
            os.close(ready_read)
            os.close(ready_write)
            raise
        if pid == 0:
            self._become_child(argv, env, stdio, ready_write)     # never returns
        os.close(ready_write)
        try:
            os.read(ready_read, 1)      # b"": the child closed it (or died)
        finally:
            os.close(ready_read)
        return pid

    def _become_child(self, argv, env, stdio, ready_write) -> None:
        code = 1
        try:
            # first of all: nothing of the server's or of other extractions stays open
            self.control.close()
            for reply in self.children.values():
                reply.close()
            self.selector.close()
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.setsid()
            os.close(ready_write)
            for target, fd in enumerate(stdio):
                os.dup2(fd, target)
            os.closerange(3, os.sysconf("SC_OPEN_MAX"))     # the wake-up pipe too
            os.environ.clear()
            os.environ.update(env)
            import tempfile
            tempfile.tempdir = None     # found again from this environment's TMPDIR
            from services.storage.extract_worker import main
            code = main(argv)
        except SystemExit as exc:       # a usage error: main wrote why on stderr
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - the child must end here, whatever happened
            try:
                import traceback
                traceback.print_exc()
            except BaseException:  # noqa: BLE001, S110 - out of memory even for that
                pass
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)

    def reap(self) -> None:
        """Report every child that has exited (its status and CPU) and forget it."""
        while self.children:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            reply = self.children.pop(pid, None)
            if reply is None:
                continue
            _send(reply, {"status": os.waitstatus_to_exitcode(status),
                          "cpu": round(usage.ru_utime + usage.ru_stime, 6)})
            reply.close()

    def stop(self) -> None:
        """Storage is gone: no one reads the children's answers. Kill their groups (the
        tools with them), reap them, close their reply sockets."""
        for pid in list(self.children):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid, reply in list(self.children.items()):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            reply.close()
        self.children.clear()

    @staticmethod
    def _close(fds) -> None:
        for fd in fds:
            os.close(fd)


def _send(reply: socket.socket, message: dict) -> None:
    """One reply; storage may have closed its end (it gave up): then no one is told."""
    try:
        reply.send(json.dumps(message).encode())
    except OSError:
        pass


def _log(text: str) -> None:
    sys.stderr.write(f"extraction fork server: {text}\n")
    sys.stderr.flush()
