"""The text-extraction child parses files anyone could upload: it and the tools it runs
get a scrubbed environment, without the secret key, the token keys, the database URLs
or the broker's and S3's credentials (issue 11 point 14)."""
import os
import stat

from services.storage.extraction import run_extraction

SECRETS = {"EOFFICE_SECRET_KEY": "s3cret-key-value-0123456789",
           "EOFFICE_SIGNING_KEY": "c2lnbmluZy1rZXktdmFsdWUtMDEyMzQ1Njc4OWFiYw==",
           "EOFFICE_PUBLIC_KEYS": "gateway=cHVibGlj",
           "DOCUMENTS_DB_URL": "postgresql://eoffice:dbpass@db/documents",
           "STORAGE_DB_URL": "postgresql://eoffice:dbpass@db/storage",
           "AMQP_URI": "pyamqp://eoffice:brokerpass@rabbitmq:5672/",
           "STORAGE_URL": "s3://ACCESS:S3SECRET@minio:9000/eoffice",
           "SMTP_PASSWORD": "mailpass", "AWS_SECRET_ACCESS_KEY": "awssecret"}


def test_the_extraction_child_and_the_tool_it_runs_see_no_secret(tmp_path, monkeypatch):
    """A stand-in for antiword, first on PATH, writes its own environment and its
    parent's — the real extraction child — as the kernel holds them."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "seen"
    tool = bin_dir / "antiword"
    tool.write_text("#!/bin/sh\n"
                    f"env > {seen}.tool\n"
                    f"tr '\\0' '\\n' < /proc/$PPID/environ > {seen}.child\n"
                    f"tr '\\0' ' ' < /proc/$PPID/cmdline > {seen}.cmdline\n"
                    "echo 'Văn bản thử'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    document = tmp_path / "a.doc"
    document.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 512)

    result = run_extraction(str(document), "doc", timeout=30)

    assert result.status == "ok", result.error
    assert "extract_worker" in (tmp_path / "seen.cmdline").read_text()   # its parent
    for who in ("tool", "child"):
        environment = (tmp_path / f"seen.{who}").read_text()
        names = {line.split("=", 1)[0] for line in environment.splitlines() if "=" in line}
        assert not names & set(SECRETS), (who, names & set(SECRETS))
        for value in SECRETS.values():
            assert value not in environment, who
        assert "PATH" in names and "OMP_THREAD_LIMIT" in names


PEEK = """
import ctypes, os, subprocess, sys
from services.storage.extraction import hide_environment_from_children
if os.getuid() == 0:        # root reads any process: be an ordinary user, as in production
    os.setgid(65534)
    os.setuid(65534)
    # changing user made us non-dumpable; a process started as that user is dumpable
    ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)
if sys.argv[1] == "hide":
    assert hide_environment_from_children()
# what the extraction child (same user) could do: read its parent's environment
peek = subprocess.run(["cat", f"/proc/{os.getpid()}/environ"], capture_output=True,
                      env={"PATH": os.environ["PATH"]})
print("seen" if b"hidden-secret-value" in peek.stdout else "hidden")
"""


def run_as_storage(how):
    import subprocess
    import sys

    from services.storage.extraction import ROOT
    env = {"PATH": os.environ["PATH"], "EOFFICE_SECRET_KEY": "hidden-secret-value"}
    done = subprocess.run([sys.executable, "-c", PEEK, how], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_storage_process_hides_its_own_environment_from_the_extraction_child():
    """The child's environment is clean; and it cannot read the storage process's
    either (/proc/<storage pid>/environ), once storage is non-dumpable."""
    assert run_as_storage("hide") == "hidden"
    assert run_as_storage("plain") == "seen"     # what it could read before
