"""The extraction fork server (services/storage/fork_server.py): its protocol, the
child's limits and isolation, and storage falling back to a fresh process whenever the
server cannot be used. Each test has a fork server of its own."""
import os
import signal
import stat
import sys
import time

import eventlet
import pytest

from services.common.config import settings_from
from services.storage import extraction
from services.storage.extract_worker import worker_arguments
from services.storage.extraction import ForkServer, run_extraction
from services.storage.extractors.limits import Limits
from services.storage.extractors.sandbox import scrubbed_env
from tests.unit.storage import samples


@pytest.fixture
def server(monkeypatch):
    """A fork server of the test's own, the one run_extraction uses."""
    own = ForkServer()
    monkeypatch.setattr(extraction, "FORK_SERVER", own)
    yield own
    own.stop()


def fake_antiword(folder, script: str):
    """A stand-in for antiword, first on PATH (the extraction of a .doc runs it)."""
    folder.mkdir(exist_ok=True)
    tool = folder / "antiword"
    tool.write_text("#!/bin/sh\n" + script)
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return tool


def use_path(monkeypatch, folder):
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields from the state on (state, ppid, pgrp, session, ...)."""
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().rsplit(")", 1)[1].split()


def gone(pid: int, seconds: float = 5.0) -> bool:
    """Whether ``pid`` is dead (or a zombie) within ``seconds``."""
    for _ in range(int(seconds * 20)):
        try:
            if stat_fields(pid)[0] == "Z":
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_the_server_forks_a_child_that_answers_on_its_pipe_and_is_reported_with_its_cpu(
        server, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Công văn số 12")
    child = server.start_child(worker_arguments(str(path), "txt", Limits()), scrubbed_env())
    assert child is not None
    answer = child.stdout.read()
    assert child.wait() == 0
    assert b'"status": "ok"' in answer and "Công văn số 12".encode() in answer
    assert isinstance(child.cpu_seconds, float) and child.cpu_seconds >= 0
    assert server.process.poll() is None        # the server keeps serving
    child.close()


def test_a_pdf_is_extracted_by_a_forked_child_not_a_fresh_process(server):
    result = run_extraction(str(samples.PDF_FIXTURE), "pdf", timeout=30)
    assert result.status == "ok" and samples.PDF_WORD in result.text
    assert server.process is not None and server.process.poll() is None


def test_the_child_leads_its_own_session_and_holds_no_socket_of_the_server(
        server, tmp_path, monkeypatch):
    """Its tool sees, in its parent (the forked child): a session and process group
    of its own (the timeout's killpg takes them all), a grandparent that is the fork
    server, and not one socket among its open descriptors."""
    seen = tmp_path / "seen"
    fake_antiword(tmp_path / "bin",
                  f"cat /proc/$PPID/stat > {seen}.stat\n"
                  f"ls -l /proc/$PPID/fd/ > {seen}.fds\n"
                  "echo 'Văn bản thử'\n")
    use_path(monkeypatch, tmp_path / "bin")
    result = run_extraction(str(samples.DOC_FIXTURE), "doc", timeout=30)
    assert result.status == "ok", result.error
    text = (tmp_path / "seen.stat").read_text()
    child = int(text.split(" ", 1)[0])
    _state, parent, group, session = text.rsplit(")", 1)[1].split()[:4]
    assert int(parent) == server.process.pid
    assert int(group) == child and int(session) == child
    descriptors = (tmp_path / "seen.fds").read_text()
    assert "socket:" not in descriptors, descriptors


def test_each_extraction_gets_the_path_it_is_sent(server, tmp_path, monkeypatch):
    """The environment is sent with each request (tests, and a deployment's changes,
    do not need a new server): here two antiwords on two PATHs, one after the other."""
    fake_antiword(tmp_path / "one", "echo 'Bản thứ nhất'\n")
    fake_antiword(tmp_path / "two", "echo 'Bản thứ hai'\n")
    use_path(monkeypatch, tmp_path / "one")
    first = run_extraction(str(samples.DOC_FIXTURE), "doc", timeout=30)
    use_path(monkeypatch, tmp_path / "two")
    second = run_extraction(str(samples.DOC_FIXTURE), "doc", timeout=30)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    third = run_extraction(str(samples.DOC_FIXTURE), "doc", timeout=30)
    assert (first.text, second.text) == ("Bản thứ nhất", "Bản thứ hai")
    assert third.status == "failed" and "antiword is not installed" in third.error
    assert server.process.poll() is None


def test_a_memory_bomb_in_a_forked_child_is_out_of_memory(server, tmp_path):
    """The child's address space is capped (RLIMIT_AS) after the fork: reading 96 MB
    within 80 MB fails as out of memory, and the server is unharmed."""
    path = tmp_path / "bom.txt"
    with open(path, "wb") as handle:
        handle.truncate(96 * 1024 * 1024)
    result = run_extraction(str(path), "txt", timeout=30, memory_mb=80,
                            max_chars=100_000_000)
    assert result.status == "failed" and result.error == "out of memory while extracting text"
    assert server.process.poll() is None
    assert run_extraction(str(samples.PDF_FIXTURE), "pdf", timeout=30).status == "ok"


def test_a_forked_child_at_its_timeout_is_killed_with_the_tools_it_runs(
        server, tmp_path, monkeypatch):
    pid_file = tmp_path / "antiword.pid"
    fake_antiword(tmp_path / "bin", f"echo $$ > {pid_file}\nexec /bin/sleep 30\n")
    use_path(monkeypatch, tmp_path / "bin")
    monkeypatch.setattr(extraction, "TIME_MARGIN_SECONDS", -60.0)   # the kill ends it
    result = run_extraction(str(samples.DOC_FIXTURE), "doc", timeout=2)
    assert result.status == "failed" and "timed out after 2 s" in result.error
    tool = int(pid_file.read_text())
    assert gone(tool), "the tool outlived the extraction's timeout"
    assert server.process.poll() is None


def test_a_crashing_child_is_a_failure_with_its_exit_code_and_diagnostics(
        server, tmp_path, monkeypatch):
    """Killed by a signal (here its tool sends it SIGSEGV): the failure names it. A
    child that stops with an error message (here a malformed request): the message."""
    fake_antiword(tmp_path / "bin", "kill -SEGV $PPID\nsleep 5\n")
    use_path(monkeypatch, tmp_path / "bin")
    crashed = run_extraction(str(samples.DOC_FIXTURE), "doc", timeout=30)
    assert crashed.status == "failed"
    assert crashed.error.startswith("extraction worker exited with code -11")

    child = server.start_child(["only-a-path"], scrubbed_env())
    output = extraction._ChildOutput()
    output.read(child.stderr)
    assert child.wait() == 2
    assert "extract_worker: expected PATH KIND" in output.diagnostics()
    child.close()


def test_a_server_that_cannot_start_leaves_extraction_to_a_fresh_process(monkeypatch):
    broken = ForkServer(command=lambda fd: [sys.executable, "-c", "raise SystemExit(1)"])
    monkeypatch.setattr(extraction, "FORK_SERVER", broken)
    result = run_extraction(str(samples.PDF_FIXTURE), "pdf", timeout=30)
    assert result.status == "ok" and samples.PDF_WORD in result.text
    assert broken.control is None
    # not started again at once: the next files go straight to a fresh process
    assert broken.start_child(["x", "txt"], scrubbed_env()) is None
    assert broken.process is None


def test_a_server_that_dies_during_an_extraction_loses_nothing_and_is_started_again(
        server, tmp_path, monkeypatch):
    """Killed while its child works: the child (now an orphan) still answers on its
    pipe; the next extraction gets a new server."""
    started = tmp_path / "started"
    fake_antiword(tmp_path / "bin", f"touch {started}\nsleep 1\necho 'Văn bản thử'\n")
    use_path(monkeypatch, tmp_path / "bin")
    running = eventlet.spawn(run_extraction, str(samples.DOC_FIXTURE), "doc", timeout=30)
    for _ in range(200):
        if started.exists():
            break
        eventlet.sleep(0.05)
    first = server.process.pid
    os.kill(first, signal.SIGKILL)
    result = running.wait()
    assert (result.status, result.text) == ("ok", "Văn bản thử"), result.error
    again = run_extraction(str(samples.DOC_FIXTURE), "doc", timeout=30)
    assert again.status == "ok"
    assert server.process is not None and server.process.pid != first


def test_a_server_killed_before_it_forks_leaves_the_file_to_a_fresh_process(
        server, tmp_path):
    """Dead between two extractions, found dead only when the request is sent."""
    assert run_extraction(str(samples.PDF_FIXTURE), "pdf", timeout=30).status == "ok"
    process = server.process
    process.kill()
    process.wait()
    result = run_extraction(str(samples.PDF_FIXTURE), "pdf", timeout=30)
    assert result.status == "ok" and samples.PDF_WORD in result.text


def test_stopping_the_server_kills_the_children_it_still_has(server, tmp_path,
                                                              monkeypatch):
    """Storage stopping (or dying: the same end of the socket) takes its extractions'
    process groups with it: nothing is left running."""
    pid_file = tmp_path / "antiword.pid"
    fake_antiword(tmp_path / "bin", f"echo $$ > {pid_file}\nexec /bin/sleep 30\n")
    use_path(monkeypatch, tmp_path / "bin")
    limits = Limits(time_budget=60)
    child = server.start_child(worker_arguments(str(samples.DOC_FIXTURE), "doc", limits),
                               scrubbed_env())
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        eventlet.sleep(0.05)
    tool, process = int(pid_file.read_text()), server.process
    server.stop()
    assert process.poll() is not None
    assert gone(child.pid) and gone(tool)
    child.close()


def test_the_fork_server_is_on_unless_the_setting_turns_it_off():
    assert settings_from({}).extraction_fork_server is True
    assert settings_from({"EXTRACTION_FORK_SERVER": ""}).extraction_fork_server is True
    assert settings_from({"EXTRACTION_FORK_SERVER": "false"}).extraction_fork_server is False
    assert settings_from({"EXTRACTION_FORK_SERVER": False}).extraction_fork_server is False


def test_turned_off_each_file_gets_a_fresh_process(server):
    result = run_extraction(str(samples.PDF_FIXTURE), "pdf", timeout=30,
                            use_fork_server=False)
    assert result.status == "ok"
    assert server.process is None



NON_DUMPABLE_PROBE = """
import ctypes, os, sys
from services.storage.extractors.sandbox import make_non_dumpable
libc = ctypes.CDLL(None)
assert make_non_dumpable()
pid = os.fork()
if pid == 0:
    os._exit(10 + libc.prctl(3, 0, 0, 0, 0))        # PR_GET_DUMPABLE: 0 or 1
print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) - 10)
"""


def test_the_server_is_non_dumpable_and_so_is_every_child_it_forks():
    """What keeps a taken-over child from ptracing the server or another child (and
    from reading their memory or environment): the flag the server sets on itself
    (``serve`` calls make_non_dumpable first) is inherited through ``fork``. Root
    reads any process, so this is checked by the flag itself, not by a refused read
    (test_extraction_environment does that for storage, as an ordinary user)."""
    import inspect
    import subprocess

    from services.storage import fork_server

    assert "make_non_dumpable()" in inspect.getsource(fork_server.serve)
    done = subprocess.run([sys.executable, "-S", "-c", NON_DUMPABLE_PROBE],
                          cwd=extraction.ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
