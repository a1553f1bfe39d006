"""Reading files anyone could upload, safely: the tools extractors run (a scrubbed
environment, capped output, a timeout), zip-bomb checks on DOCX/ODT before any member
is inflated, and XML parsed without DTDs or entities. The child process's own
resource limits (RLIMIT_AS, RLIMIT_CPU) are set by ``extract_worker``; the tools
inherit them."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile


class ExtractionFailed(Exception):
    """A reason to record as the file's failure (its message is stored)."""


# ---------------------------------------------------------------- installed packages

_installed_packages_added = False


def need_installed_packages() -> None:
    """Make the installed packages (site-packages: python-docx, Pillow, pypdf,
    defusedxml) importable: call before importing one. The extraction child starts
    without them (``python -S``: site's start-up, the editable install's finder, is
    ≈ 15 ms of the child's CPU) since the common case, a PDF read by poppler's tools,
    needs none; in any process started normally this does nothing."""
    global _installed_packages_added
    if sys.flags.no_site and not _installed_packages_added:
        import site     # under -S importing it adds nothing: main() does
        site.main()
        _installed_packages_added = True


# ---------------------------------------------------------------- processes

PR_SET_DUMPABLE = 4   # linux/prctl.h


def make_non_dumpable() -> bool:
    """Make this process non-dumpable: another process of the same Unix user (an
    extraction child, or a tool it runs, taken over by a hostile file) can then neither
    ptrace it nor read its memory or ``/proc/<pid>/environ``. Inherited by ``fork``,
    reset by ``exec``. True if done (Linux only). Costs: no core dumps."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


# ---------------------------------------------------------------- external tools

#: The only variables the extraction child and the tools it runs get from the storage
#: process: what a parser needs to run. Everything else stays behind — the secret key,
#: token keys, database URLs, the broker's and S3's credentials — since the child
#: parses files anyone could upload.
CHILD_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "HOME", "TMPDIR", "TZ",
                     "TESSDATA_PREFIX", "PYTHONPATH")


def scrubbed_env(source=None) -> dict:
    """The environment for the extraction child and its tools (CHILD_ENVIRONMENT)."""
    source = os.environ if source is None else source
    env = {name: source[name] for name in CHILD_ENVIRONMENT if name in source}
    # Tesseract's OpenMP threads make it slower, not faster, on a shared machine
    # (measured: 2.3 s → 38 s a page with 2 threads on 2 busy cores).
    env["OMP_THREAD_LIMIT"] = "1"
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def run_tool(command: list[str], *, timeout: float, max_output: int, package: str,
             stdin=None) -> tuple[bytes, bool]:
    """Run a Debian tool; its stdout (at most ``max_output`` bytes, RLIMIT_FSIZE) and
    whether it was cut there. ExtractionFailed if it is missing, fails or overruns
    ``timeout``. The tool inherits this process's RLIMIT_AS and RLIMIT_CPU."""
    name = command[0]
    if shutil.which(name) is None:
        raise ExtractionFailed(f"{name} is not installed (Debian package: {package})")
    if timeout <= 0:
        raise ExtractionFailed(f"no time left to run {name}")

    def limit_output():
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_output, max_output))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            completed = subprocess.run(
                command, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=out, stderr=err, timeout=timeout, preexec_fn=limit_output,
                env=scrubbed_env(), close_fds=True)
        except subprocess.TimeoutExpired:
            raise ExtractionFailed(f"{name} did not finish within {timeout:.1f} s")
        out.seek(0)
        data = out.read(max_output)
        if completed.returncode == -signal.SIGXFSZ and len(data) >= max_output:
            return data, True      # stdout reached the cap (not a flood of errors)
        if completed.returncode != 0:
            err.seek(0)
            raise ExtractionFailed(_tool_failure(command, completed.returncode,
                                                 err.read(8000)))
    return data, False


def _tool_failure(command: list[str], returncode: int, raw: bytes) -> str:
    """Why a tool failed: the last distinct lines of its stderr, without the path of
    the stored file (it says nothing to anyone and names the server's folders)."""
    name = command[0]
    if len(raw) == 8000:       # a flood of messages: keep whole lines
        raw = raw[:raw.rfind(b"\n") + 1] or raw
    lines = raw.decode("utf-8", "replace")
    for argument in command[1:]:
        if os.path.isabs(argument) and os.path.isfile(argument):
            lines = lines.replace(argument, "the file")
    lines = list(dict.fromkeys(" ".join(line.split()) for line in lines.splitlines()
                               if line.strip()))
    message = "; ".join(lines[-3:])[-500:]     # poppler repeats itself
    return (f"{name} failed (exit code {returncode})"
            + (f": {message}" if message else ""))


# ---------------------------------------------------------------- ZIP containers

#: Zip-bomb guards for DOCX/ODT, checked on the ZIP directory before reading a member.
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
#: Apache POI's default (ZipSecureFile: minimum inflate ratio 0.01), for members
#: larger than ZIP_RATIO_GRACE_BYTES.
ZIP_MAX_RATIO = 100
ZIP_RATIO_GRACE_BYTES = 1024 * 1024


def check_zip(archive, max_total: int = ZIP_MAX_TOTAL_BYTES,
              max_members: int = ZIP_MAX_MEMBERS, max_ratio: float = ZIP_MAX_RATIO,
              grace: int = ZIP_RATIO_GRACE_BYTES) -> None:
    """Refuse a zip bomb from its directory alone (``archive``: a ``zipfile.ZipFile``),
    before any member is inflated.

    Python's zipfile never inflates a member past its declared size (and fails on a
    CRC mismatch), so checking the declared sizes bounds what reading can produce."""
    members = archive.infolist()
    if len(members) > max_members:
        raise ExtractionFailed(f"zip bomb suspected: {len(members):,} members "
                               f"(limit {max_members:,})")
    total = 0
    for member in members:
        total += member.file_size
        if total > max_total:
            raise ExtractionFailed(f"zip bomb suspected: over {max_total:,} bytes "
                                   "uncompressed")
        if member.file_size > grace and (
                member.compress_size == 0
                or member.file_size / member.compress_size > max_ratio):
            ratio = member.file_size / max(member.compress_size, 1)
            raise ExtractionFailed(
                f"zip bomb suspected: {member.filename} inflates {ratio:,.0f} times "
                f"({member.compress_size:,} → {member.file_size:,} bytes; limit "
                f"{max_ratio:g} times)")


def open_zip(path: str, label: str):
    """The ZIP container (a ``zipfile.ZipFile``) of a DOCX or ODT (``label``), checked
    by ``check_zip``."""
    import zipfile     # here, not above: only DOCX and ODT need it (pathlib & co. ≈ 7 ms)

    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ExtractionFailed(f"not a valid {label} (ZIP) file: {exc}")
    try:
        check_zip(archive)
    except BaseException:
        archive.close()
        raise
    return archive


# ---------------------------------------------------------------- XML

def parse_xml(stream, label: str):
    """The root element of the XML in ``stream`` (``label`` names it in reasons),
    parsed with defusedxml: a document with a DTD is refused, so no entity is ever
    expanded (billion laughs, external entities reading the server's files)."""
    need_installed_packages()
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, parse

    try:
        return parse(stream, forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise ExtractionFailed(f"{label} refused: {type(exc).__name__}: {exc}")
    except ParseError as exc:
        raise ExtractionFailed(f"{label} is not well-formed XML: {exc}")
