"""The extraction child's start-up: what it is told on its command line, and what it
loads before reading a file (it starts once per file, so every import is paid per file)."""
import subprocess

import pytest

from services.storage.extract_worker import _arguments, command_line
from services.storage.extraction import ROOT
from services.storage.extractors.limits import Limits
from services.storage.extractors.sandbox import scrubbed_env
from tests.unit.storage.samples import PDF_FIXTURE


@pytest.mark.parametrize("limits, memory_mb", [
    (Limits(), 1536),
    (Limits(max_pages=3, max_chars=99, time_budget=12.25, ocr_max_pages=2, ocr_dpi=150,
            ocr_max_pixels=1000, ocr_lang="eng"), 700)])
def test_the_worker_reads_back_the_command_line_the_service_writes(limits, memory_mb):
    command = command_line("/tmp/a file.pdf", "pdf", limits, memory_mb)
    options, read = _arguments(command[command.index("services.storage.extract_worker") + 1:])
    assert (options.path, options.kind, options.memory_mb) == ("/tmp/a file.pdf", "pdf",
                                                                memory_mb)
    assert read == limits


@pytest.mark.parametrize("argv", [["a.pdf"], ["a.pdf", "pdf", "--max-pages"],
                                  ["a.pdf", "pdf", "--max-pages", "many"],
                                  ["a.pdf", "pdf", "--unknown", "1"], ["a", "b", "c"]])
def test_a_malformed_command_line_is_refused_with_exit_code_2(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        _arguments(argv)
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith("extract_worker: ")


def test_a_pdf_child_loads_neither_installed_packages_nor_the_other_kinds_readers():
    """python -S, and only the PDF reader: what a file of another kind needs (site,
    zipfile, python-docx, Pillow, argparse) is not paid for by every PDF. The child is
    run with the service's interpreter flags, and lists its modules once it is done."""
    command = command_line(str(PDF_FIXTURE), "pdf", Limits())
    module = command.index("-m")
    assert command[module + 1] == "services.storage.extract_worker"
    listing = ("import sys\nfrom services.storage.extract_worker import main\n"
               "main(sys.argv[1:])\nsys.stderr.write('MODULES ' + ' '.join(sys.modules))\n")
    done = subprocess.run([*command[:module], "-c", listing, *command[module + 2:]],
                          cwd=ROOT, env=scrubbed_env(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert b'"status": "ok"' in done.stdout
    loaded = set(done.stderr.decode().rsplit("MODULES ", 1)[1].split())
    assert "services.storage.extractors.pdf" in loaded
    assert not loaded & {"site", "zipfile", "argparse", "PIL", "docx", "pypdf", "defusedxml",
                         "services.storage.extractors.docx",
                         "services.storage.extractors.images",
                         "services.storage.extractors.odt"}
