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
