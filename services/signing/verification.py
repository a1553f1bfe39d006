"""Verification of the digital signatures in a PDF (kiểm tra chữ ký số, ND30 Điều 5 and
DOMAIN.md §1.13): every signed PDF that arrives is checked, and the clerk sees, for each
signature, who signed, when (the claimed time and the timestamp's), whether the signed bytes
are intact, what changed after it, whether the certificate chains to a trusted root, and
whether it had expired or been revoked.

``verify_pdf`` does the work in this process with pyHanko; files from outside are verified
through ``verify_in_child`` (a child process, ``verify_worker``), so a hostile file can only
exhaust the child's memory and time, not the service's.

Decisions, in short:
- A signature with a trusted timestamp is judged at the timestamp's time (expiry, and
  revocation: a certificate revoked after the timestamp still made a valid signature); one
  without, at ``now``. Revocation data fetched now is applied to that time (pyHanko's
  "retroactive revinfo").
- Revocation is asked online (OCSP, then CRL) with short timeouts and pyHanko's "soft-fail"
  mode; when a service could not be reached the answer is "unknown", said plainly, never
  "good". Issuer certificates are not fetched from URLs a certificate names (the signature
  must carry its chain): a hostile certificate cannot make the server call arbitrary URLs.
- Never raises for a bad file: the report's status is "unreadable" (not a PDF, encrypted with
  a password, over the limits, malformed) or "invalid" (a damaged signature), with the reason.
"""
from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from services.common.pdf_signatures import might_be_signed

log = logging.getLogger(__name__)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MIB = 1024 * 1024
#: Revocation services asked, in this order (pyHanko asks OCSP first, then the CRL).
REVOCATION_SOURCES = ("ocsp", "crl")
#: How long one OCSP or CRL request may take, at most (and at most a quarter of the time
#: the whole verification may take).
FETCH_TIMEOUT_SECONDS = 5.0
#: Network requests one verification may make (OCSP and CRL of each certificate of each
#: signature and timestamp; far above what a real document needs).
MAX_FETCHES = 40
#: The child's address space (RLIMIT_AS).
CHILD_MEMORY_BYTES = 1024 * MIB


@dataclass(frozen=True)
class TrustList:
    """The trusted root certificates (DER): the national root CA of Vietnam and, in the
    demo, the demo PKI's root."""
    roots: list[bytes]


@dataclass(frozen=True)
class Limits:
    """What a file may cost to verify: bigger files, more signature fields, a bigger
    signature value are refused (status "unreadable", said why) before they are parsed;
    ``seconds`` is the child process's wall-clock time."""
    max_bytes: int = 50 * MIB
    max_signatures: int = 20
    max_signature_bytes: int = 1 * MIB
    seconds: float = 20


# ---------------------------------------------------------------- problems

def _problem(code: str, vi: str, en: str) -> dict:
    return {"code": code, "vi": vi, "en": en}


#: Problems that make a signature (and so the document) invalid; every other problem is a
#: warning a clerk must see.
INVALID_CODES = frozenset({
    "signature_damaged", "content_changed", "signature_invalid", "changed_after_signing",
    "changes_not_permitted", "revoked", "format_unsupported",
})


class Unreadable(Exception):
    """The file cannot be verified at all: the report's status is "unreadable"."""

    def __init__(self, code: str, vi: str, en: str):
        super().__init__(en)
        self.problem = _problem(code, vi, en)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:      # pyHanko's times are aware; a naive one is taken as UTC
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(VN).isoformat(timespec="seconds")


def _shown(moment: datetime | None) -> str:
    """A time as people read it in messages: 14:05:09 ngày 03/02/2026 (giờ Việt Nam)."""
    if moment is None:
        return "?"
    return moment.astimezone(VN).strftime("%H:%M:%S %d/%m/%Y")


# ---------------------------------------------------------------- the report

def _report(status: str, *, now: datetime, encrypted: bool = False,
            revocation_checked: bool = False, signatures: list | None = None,
            problems: list | None = None) -> dict:
    signatures = signatures or []
    return {"status": status, "summary": _summary(status, signatures, problems or []),
            "encrypted": encrypted, "checked_at": _iso(now),
            "revocation_checked": revocation_checked, "signatures": signatures,
            "problems": problems or []}


def _summary(status: str, signatures: list, problems: list) -> dict:
    count = len(signatures)
    if status == "unreadable":
        reason = problems[0] if problems else {"vi": "", "en": ""}
        return {"vi": f"Không kiểm tra được chữ ký số của tệp: {reason['vi']}",
                "en": f"The file's signatures could not be checked: {reason['en']}"}
    if status == "unsigned":
        return {"vi": "Tệp không có chữ ký số.", "en": "The file has no digital signature."}
    if status == "valid":
        return {"vi": f"Tệp có {count} chữ ký số, tất cả hợp lệ.",
                "en": f"The file has {count} digital signature(s), all valid."}
    bad = [signature for signature in signatures if not signature["valid"]]
    first = bad[0]["problems"][0] if bad and bad[0]["problems"] else {"vi": "", "en": ""}
    if status == "invalid":
        return {"vi": f"Chữ ký số KHÔNG hợp lệ ({len(bad)}/{count} chữ ký có vấn đề): "
                      f"{first['vi']}",
                "en": f"The digital signature is NOT valid ({len(bad)} of {count} with "
                      f"problems): {first['en']}"}
    return {"vi": f"Chữ ký số cần lưu ý ({len(bad)}/{count} chữ ký có cảnh báo): "
                  f"{first['vi']}",
            "en": f"The digital signature needs attention ({len(bad)} of {count} with "
                  f"warnings): {first['en']}"}


def _overall_status(signatures: list) -> str:
    if not signatures:
        return "unsigned"
    codes = {problem["code"] for signature in signatures for problem in signature["problems"]}
    if codes & INVALID_CODES:
        return "invalid"
    return "warning" if codes else "valid"


# ---------------------------------------------------------------- entry point

def verify_pdf(pdf: bytes, *, trust: TrustList, now: datetime, online: bool = True,
               limits: Limits = Limits(),
               revocation_sources: tuple[str, ...] = REVOCATION_SOURCES) -> dict:
    """The verification report of every signature in ``pdf`` (see the contract, §4).
    ``revocation_sources`` narrows the revocation services asked (("crl",): CRLs only),
    for deployments whose CA's OCSP is not to be relied on, and for tests."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=VN)
    seen = {"encrypted": False}       # what was learnt before a failure, for its report
    try:
        return _verify(pdf, trust=trust, now=now, online=online, limits=limits,
                       revocation_sources=tuple(revocation_sources), seen=seen)
    except Unreadable as refusal:
        problem = refusal.problem
    except MemoryError:
        problem = _problem("too_large", "tệp cần quá nhiều bộ nhớ để đọc.",
                           "the file needs too much memory to read.")
    except Exception as exc:  # noqa: BLE001 - a hostile file gets an answer, never a crash
        log.info("PDF unreadable for verification", exc_info=True)
        problem = _malformed(exc)
    return _report("unreadable", now=now, encrypted=seen["encrypted"], problems=[problem])


def _malformed(exc: BaseException) -> dict:
    detail = f"{type(exc).__name__}: {exc}"[:300]
    return _problem("malformed", f"tệp PDF bị hỏng hoặc sai cấu trúc ({detail}).",
                    f"the PDF is damaged or malformed ({detail}).")


_CONTENTS_HEX = re.compile(rb"/Contents\s*<([0-9A-Fa-f\s]*)")


def _check_before_parsing(pdf: bytes, limits: Limits) -> None:
    """The refusals that cost nothing: size, what the file is, an oversized signature
    value (a signature's /Contents is a hex string in the file's bytes, never compressed,
    so a scan finds it before the parser reads it)."""
    if len(pdf) > limits.max_bytes:
        raise Unreadable(
            "too_large",
            f"tệp lớn {len(pdf) / MIB:.1f} MB, vượt giới hạn {limits.max_bytes / MIB:.0f} MB.",
            f"the file is {len(pdf) / MIB:.1f} MB, over the limit of "
            f"{limits.max_bytes / MIB:.0f} MB.")
    if b"%PDF-" not in pdf[:1024]:
        raise Unreadable("not_pdf", "tệp không phải là tệp PDF.", "the file is not a PDF.")
    # hex digits of a value over the limit, plus generous room for line breaks
    longest = 2 * limits.max_signature_bytes
    for found in _CONTENTS_HEX.finditer(pdf):
        run = found.end(1) - found.start(1)
        if run > longest and len(re.sub(rb"\s", b"", found.group(1))) > longest:
            raise Unreadable(
                "signature_too_large",
                f"giá trị chữ ký (/Contents) lớn hơn giới hạn "
                f"{limits.max_signature_bytes / MIB:g} MB: tệp bất thường nên không được đọc.",
                f"a signature value (/Contents) is over the limit of "
                f"{limits.max_signature_bytes / MIB:g} MB: the file is abnormal, so it is "
                "not read.")


def unsigned_report(*, now: datetime, encrypted: bool) -> dict:
    """The report ``verify_pdf`` gives a PDF that storage's scan found certainly unsigned
    (services.common.pdf_signatures.scan_pdf_file), without its bytes."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=VN)
    return _report("unsigned", now=now, encrypted=encrypted)


def _verify(pdf: bytes, *, trust: TrustList, now: datetime, online: bool, limits: Limits,
            revocation_sources: tuple[str, ...], seen: dict) -> dict:
    from pyhanko.pdf_utils.crypt import AuthStatus
    from pyhanko.pdf_utils.reader import PdfFileReader

    _check_before_parsing(pdf, limits)
    if not might_be_signed(pdf):
        return _report("unsigned", now=now, encrypted=b"/Encrypt" in pdf)
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    encrypted = seen["encrypted"] = bool(reader.encrypted)
    if encrypted:
        # Signature dictionaries of an encrypted file are read only once it is decrypted;
        # many are encrypted with an empty user password (only to restrict printing etc.).
        try:
            result = reader.decrypt(b"")
            opened = result.status != AuthStatus.FAILED
        except Exception:  # noqa: BLE001 - an unsupported security handler
            opened = False
        if not opened:
            raise Unreadable(
                "encrypted", "tệp được mã hóa bằng mật khẩu nên không đọc được chữ ký số.",
                "the file is encrypted with a password, so its signatures cannot be read.")
    fields = _signature_fields(reader, limits)
    if not fields:
        return _report("unsigned", now=now, encrypted=encrypted)
    checker = _Checker(reader, pdf_size=len(pdf), trust=trust, now=now, online=online,
                       limits=limits, revocation_sources=revocation_sources)
    signatures = asyncio.run(checker.check_all(fields))
    return _report(_overall_status(signatures), now=now, encrypted=encrypted,
                   revocation_checked=online, signatures=signatures)


def _signature_fields(reader, limits: Limits) -> list:
    """The filled signature fields ``(name, field)`` (not document timestamps), refusing a
    file with more signature fields than the limit before any of them is parsed."""
    from pyhanko.sign.fields import enumerate_sig_fields

    found, seen = [], set()

    def take(name, value, sig_field):
        if len(seen) >= limits.max_signatures:
            raise Unreadable(
                "too_many_signatures",
                f"tệp có hơn {limits.max_signatures} trường chữ ký: tệp bất thường nên không "
                "được đọc.",
                f"the file has more than {limits.max_signatures} signature fields: it is "
                "abnormal, so it is not read.")
        seen.add(_identity(sig_field))
        if value is not None:            # an empty field: nothing signed there
            found.append((name, sig_field))

    for name, value, sig_field in enumerate_sig_fields(reader):
        take(name, value, sig_field)
    # A signature field may be left out of the form (/AcroForm) by a tool that re-saved the
    # file, and still be on its page, as poppler's pdfsig finds it: look there too.
    for sig_field in _signature_widgets(reader, limit=10 * limits.max_signatures + 1000):
        if _identity(sig_field) not in seen:
            value = sig_field.get_object().get("/V")
            name = str(sig_field.get_object().get("/T", "")) or "?"
            take(name, value, sig_field)
    return found


def _entry(dictionary, key: str):
    """``dictionary[key]`` (resolved, and decrypted in an encrypted file), or None."""
    try:
        return dictionary[key]
    except (KeyError, TypeError):
        return None


def _identity(sig_field):
    reference = getattr(sig_field, "reference", None)
    if reference is not None:
        return reference.idnum, reference.generation
    return id(sig_field)


def _signature_widgets(reader, *, limit: int):
    """Signature field widgets (``/FT /Sig`` on the annotation itself) on the pages, walking
    at most ``limit`` page-tree nodes and annotations."""
    from pyhanko.pdf_utils import generic

    budget = [limit]
    seen = set()

    def spend():
        budget[0] -= 1
        if budget[0] < 0:
            raise Unreadable("too_complex", "cấu trúc trang quá lớn hoặc lặp vô hạn.",
                             "the page tree is too large or loops.")

    def walk(node_ref):
        spend()
        key = getattr(node_ref, "idnum", None)
        if key is not None:
            if key in seen:
                return
            seen.add(key)
        node = node_ref.get_object()
        if not isinstance(node, generic.DictionaryObject):
            return
        kids = _entry(node, "/Kids")
        if isinstance(kids, generic.ArrayObject):
            for kid in kids.iterate():
                yield from walk(kid)
            return
        annots = _entry(node, "/Annots")
        for index in range(len(annots) if isinstance(annots, generic.ArrayObject) else 0):
            spend()
            annot_ref = annots.raw_get(index)
            annot = annot_ref.get_object()
            if isinstance(annot, generic.DictionaryObject) and _entry(annot, "/FT") == "/Sig":
                yield annot_ref

    pages = reader.root.raw_get("/Pages") if "/Pages" in reader.root else None
    if pages is not None:
        yield from walk(pages)


# ---------------------------------------------------------------- one signature

@dataclass
class _Entry:
    name: str
    problems: list = field(default_factory=list)
    report: dict = field(default_factory=dict)


class _Checker:
    """Checks the signatures of one reader; the fetchers (with their cache of OCSP
    responses and CRLs) are shared by all of them."""

    def __init__(self, reader, *, pdf_size: int, trust: TrustList, now: datetime,
                 online: bool, limits: Limits, revocation_sources: tuple[str, ...]):
        self.reader, self.pdf_size = reader, pdf_size
        self.now, self.online, self.limits = now, online, limits
        self.sources = revocation_sources
        self.roots = [_load_certificate(der) for der in trust.roots]
        self.fetchers = _fetchers(limits, revocation_sources) if online else None

    async def check_all(self, fields: list) -> list:
        checked = []
        for name, sig_field in fields:
            revision, report = await self.check(name, sig_field)
            if report is None:
                continue                        # a document timestamp, not a signature
            if not self.online:
                report["revocation"] = "not_checked"
            checked.append((revision, report))
        # the order they were made in (the revision each signed), unreadable ones last
        checked.sort(key=lambda pair: pair[0])
        return [report for _, report in checked]

    async def check(self, name: str, sig_field) -> tuple[int, dict]:
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

        sig_object = sig_field.get_object()["/V"].get_object()
        if sig_object.get("/Type") == "/DocTimeStamp":
            return -1, None
        damage = _byte_range_damage(sig_object, self.pdf_size)
        embedded = None
        try:
            embedded = EmbeddedPdfSignature(self.reader, sig_field, name)
        except (PdfError, ValueError, TypeError, KeyError, AttributeError) as exc:
            damage = damage or _problem(
                "signature_damaged",
                f"Chữ ký số bị hỏng: không đọc được dữ liệu chữ ký ({_brief(exc)}).",
                f"The signature is damaged: its data cannot be read ({_brief(exc)}).")
        if embedded is not None and \
                len(embedded.pkcs7_content) > self.limits.max_signature_bytes:
            raise Unreadable(
                "signature_too_large",
                f"giá trị chữ ký lớn hơn giới hạn {self.limits.max_signature_bytes / MIB:g} MB.",
                f"a signature value is over the limit of "
                f"{self.limits.max_signature_bytes / MIB:g} MB.")
        if damage is not None:
            # what can still be read of it: who signed and when they said they did
            return 1 << 30, _damaged_report(
                name, damage, signer=_signer_or_none(embedded),
                signed_at=_claimed_time_or_none(embedded, sig_object))
        try:
            report = await self._validate(embedded)
        except Exception as exc:  # noqa: BLE001 - pyHanko refuses malformed CMS by raising
            log.info("signature %s could not be validated", name, exc_info=True)
            report = _damaged_report(name, _problem(
                "signature_damaged",
                f"Chữ ký số bị hỏng hoặc sai định dạng ({_brief(exc)}).",
                f"The signature is damaged or malformed ({_brief(exc)})."),
                signer=_signer_or_none(embedded))
        return embedded.signed_revision, report

    async def _validate(self, embedded) -> dict:
        from pyhanko.sign.validation.generic_cms import collect_timing_info
        from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature

        subfilter = embedded.sig_object.get("/SubFilter")
        if subfilter not in ("/adbe.pkcs7.detached", "/ETSI.CAdES.detached"):
            return _damaged_report(embedded.field_name, _problem(
                "format_unsupported",
                f"Chữ ký số theo định dạng {subfilter} không được hỗ trợ nên không kiểm tra "
                "được.",
                f"The signature format {subfilter} is not supported, so it cannot be "
                "checked."), signer=_signer_or_none(embedded))
        # The timestamp first: a signature with a trusted one is judged at its time.
        ts_context = self._context(self.now)
        timing = await collect_timing_info(embedded.signer_info, ts_context,
                                           raw_digest=embedded.compute_digest)
        stamp = timing.get("timestamp_validity")
        stamped_at = stamp.timestamp if stamp is not None and _stamp_ok(stamp) else None
        judged_at = stamped_at if stamped_at is not None and stamped_at <= self.now \
            else self.now
        signer_context = self._context(judged_at)
        status = await async_validate_pdf_signature(
            embedded, signer_validation_context=signer_context,
            ts_validation_context=self._context(self.now))
        revocation, revocation_problem = await self._revocation(status, signer_context,
                                                                judged_at)
        return _signature_report(embedded, status, judged_at=judged_at,
                                 stamped=stamped_at is not None, revocation=revocation,
                                 revocation_problem=revocation_problem,
                                 revoked_by=self._revoked_by(status.signing_cert))

    def _revoked_by(self, cert) -> str:
        """Which service said the certificate is revoked: "OCSP" when an OCSP response read
        for it says so, else "CRL" (asked only when OCSP did not answer)."""
        if self.fetchers is not None:
            try:
                responses = list(self.fetchers.ocsp_fetcher.fetched_responses_for_cert(cert))
            except Exception:  # noqa: BLE001 - nothing fetched for it
                responses = []
            if any(_ocsp_status(response) == "revoked" for response in responses):
                return "OCSP"
        return "CRL"

    def _context(self, moment: datetime, revocation_mode: str = "soft-fail",
                 other_certs=()):
        from pyhanko_certvalidator import ValidationContext

        from services.signing.trust import TIME_TOLERANCE
        online = self.online
        return ValidationContext(
            trust_roots=self.roots, other_certs=list(other_certs), moment=moment,
            allow_fetching=online,
            revocation_mode=revocation_mode if online else "soft-fail",
            retroactive_revinfo=True, time_tolerance=TIME_TOLERANCE,
            fetchers=self.fetchers if online else None)

    async def _revocation(self, status, context, judged_at: datetime):
        """``(revocation, problem or None)`` of the signer's certificate."""
        if not self.online:
            return "not_checked", None
        if status.revocation_details is not None:
            return "revoked", None            # the problem is written with the trust ones
        path = status.validation_path
        if path is None or status.trust_problem_indic is not None:
            return "unknown", None            # no chain to check (said as untrusted/expired)
        from pyhanko_certvalidator.util import get_declared_revinfo

        has_crl, has_ocsp = get_declared_revinfo(status.signing_cert)
        if not (has_crl and "crl" in self.sources) and \
                not (has_ocsp and "ocsp" in self.sources):
            return "unknown", _problem(
                "revocation_unknown",
                "Không kiểm tra được tình trạng thu hồi: chứng thư số không ghi địa chỉ dịch vụ "
                "kiểm tra (OCSP, CRL) nào.",
                "The revocation status could not be checked: the certificate names no "
                "revocation service (OCSP, CRL).")
        if not context.soft_fail_exceptions:
            return "good", None
        # A service could not be reached. Another may have answered (OCSP down, CRL read):
        # ask again requiring an answer; the fetchers' cache holds what was read.
        from pyhanko_certvalidator.errors import RevokedError, ValidationError
        from pyhanko_certvalidator.validate import async_validate_path

        try:
            # (the issuers on the path: CRLs are matched to their issuer's certificate)
            certificates = list(path.iter_certs(include_root=False))
            await async_validate_path(self._context(judged_at, "hard-fail", certificates), path)
            return "good", None
        except RevokedError:
            return "revoked", None
        except ValidationError:
            reasons = "; ".join(dict.fromkeys(_brief(exc) for exc in
                                              context.soft_fail_exceptions))[:400]
            return "unknown", _problem(
                "revocation_unknown",
                "Không kiểm tra được tình trạng thu hồi của chứng thư số: không kết nối được "
                f"dịch vụ kiểm tra (OCSP/CRL) của tổ chức cấp chứng thư ({reasons}). "
                "Chữ ký có thể đã bị thu hồi mà chưa biết; hãy kiểm tra lại sau.",
                "The certificate's revocation status could not be checked: the issuer's "
                f"revocation services (OCSP/CRL) could not be reached ({reasons}). It may "
                "have been revoked without our knowing; check again later.")


def _stamp_ok(stamp) -> bool:
    return bool(stamp.intact and stamp.valid and stamp.trusted)


def _brief(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:200]


def _fetchers(limits: Limits, sources: tuple[str, ...]):
    from pyhanko_certvalidator.fetchers.api import FetchLimits, Fetchers
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

    timeout = max(min(FETCH_TIMEOUT_SECONDS, limits.seconds / 4), 0.5)
    # no issuer certificates fetched from the URLs certificates name (see the docstring)
    backend = RequestsFetcherBackend(timeout, limits=FetchLimits(
        max_requests=MAX_FETCHES, max_cert_requests=0, max_aia_urls_per_object=2))
    fetchers = backend.get_fetchers()
    return Fetchers(
        ocsp_fetcher=fetchers.ocsp_fetcher if "ocsp" in sources else _not_asked("OCSP")(),
        crl_fetcher=fetchers.crl_fetcher if "crl" in sources else _not_asked("CRL")(),
        cert_fetcher=fetchers.cert_fetcher)


def _not_asked(kind: str):
    from pyhanko_certvalidator.fetchers.api import CRLFetcher, OCSPFetcher

    base = OCSPFetcher if kind == "OCSP" else CRLFetcher

    class NotAsked(base):
        """A revocation service this deployment does not ask."""

        async def fetch(self, *args, **kwargs):
            from pyhanko_certvalidator.errors import CRLFetchError, OCSPFetchError

            error = OCSPFetchError if kind == "OCSP" else CRLFetchError
            raise error(f"{kind} is not asked (revocation_sources)")

        def fetched_responses(self):
            return ()

        def fetched_responses_for_cert(self, cert):
            return ()

        def fetched_crls(self):
            return ()

        def fetched_crls_for_cert(self, cert):
            return ()

    return NotAsked


def _load_certificate(der: bytes):
    from asn1crypto import pem, x509

    if pem.detect(der):
        _, _, der = pem.unarmor(der)
    return x509.Certificate.load(der)


def _byte_range_damage(sig_object, pdf_size: int) -> dict | None:
    """Why the /ByteRange cannot be what was signed (absurd, or past the end of a file cut
    short), or None: checked before pyHanko reads along it."""
    from pyhanko.pdf_utils import generic

    try:
        byte_range = sig_object["/ByteRange"]      # (decrypted, in an encrypted file)
    except KeyError:
        byte_range = None
    numbers = list(byte_range) if isinstance(byte_range, generic.ArrayObject) else None
    if not numbers or len(numbers) % 2 or len(numbers) > 64 or \
            not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        return _problem(
            "signature_damaged",
            "Chữ ký số bị hỏng: vùng dữ liệu được ký (/ByteRange) không hợp lệ.",
            "The signature is damaged: the signed byte range (/ByteRange) is not valid.")
    pairs = list(zip(numbers[0::2], numbers[1::2]))
    if any(start < 0 or length < 0 for start, length in pairs) or numbers[0] != 0:
        return _problem(
            "signature_damaged",
            f"Chữ ký số bị hỏng: vùng dữ liệu được ký {numbers} vô lý.",
            f"The signature is damaged: the signed byte range {numbers} is absurd.")
    end = max(start + length for start, length in pairs)
    if end > pdf_size:
        return _problem(
            "signature_damaged",
            f"Chữ ký số bị hỏng: vùng dữ liệu được ký kết thúc ở byte {end:,} nhưng tệp chỉ dài "
            f"{pdf_size:,} byte — tệp đã bị cắt cụt hoặc bị sửa sau khi ký.",
            f"The signature is damaged: the signed byte range ends at byte {end:,} but the "
            f"file is only {pdf_size:,} bytes long — the file was cut short or altered "
            "after signing.")
    return None


# ---------------------------------------------------------------- the signature's report

def _name_part(name, key: str) -> str | None:
    value = name.native.get(key) if name is not None else None
    if isinstance(value, list):
        value = ", ".join(str(part) for part in value)
    return value


def _common_name(cert) -> str:
    return _name_part(cert.subject, "common_name") or cert.subject.human_friendly


def _signer(cert) -> dict:
    validity = cert["tbs_certificate"]["validity"]
    return {"common_name": _name_part(cert.subject, "common_name"),
            "organisation": _name_part(cert.subject, "organization_name"),
            "serial": format(cert.serial_number, "X"),
            "issuer": _name_part(cert.issuer, "common_name") or cert.issuer.human_friendly,
            "not_before": _iso(validity["not_before"].native),
            "not_after": _iso(validity["not_after"].native)}


def _signer_or_none(embedded) -> dict | None:
    if embedded is None:
        return None
    try:
        return _signer(embedded.signer_cert)
    except Exception:  # noqa: BLE001 - a damaged signature may name no usable certificate
        return None


def _claimed_time_or_none(embedded, sig_object) -> str | None:
    try:
        if embedded is not None:
            return _iso(embedded.self_reported_timestamp)
        from pyhanko.pdf_utils.generic import parse_pdf_date

        return _iso(parse_pdf_date(sig_object["/M"], strict=False))
    except Exception:  # noqa: BLE001 - a damaged signature may claim no readable time
        return None


def _damaged_report(name: str, problem: dict, signer: dict | None = None,
                    signed_at: str | None = None) -> dict:
    return {"field": name, "signer": signer, "signed_at": signed_at, "timestamp": None,
            "intact": False, "covers_whole_file": False, "changed_after": "other",
            "trusted": False, "chain": [], "expired": False, "revocation": "unknown",
            "valid": False, "problems": [problem]}


def _chain(status, embedded) -> list[str]:
    """Common names, leaf first: the validated path, or else what the signature carries
    (issuer by issuer, as far as it goes)."""
    if status.validation_path is not None:
        return [_common_name(cert) for cert in
                reversed(list(status.validation_path.iter_certs(include_root=True)))]
    cert = status.signing_cert
    others = list(embedded.other_embedded_certs)
    chain = [cert]
    while len(chain) < 10:
        issuer = next((other for other in others if other.subject == cert.issuer
                       and other not in chain), None)
        if issuer is None:
            break
        chain.append(issuer)
        cert = issuer
    return [_common_name(cert) for cert in chain]


_CHANGES = {"NONE": "none", "LTA_UPDATES": "none", "FORM_FILLING": "form_filling",
            "ANNOTATIONS": "annotations", "OTHER": "other"}


def _changed_after(status) -> str:
    from pyhanko.sign.diff_analysis import DiffResult
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "none"
    if not isinstance(status.diff_result, DiffResult):
        return "other"                       # a suspicious change, or coverage unclear
    return _CHANGES.get(status.diff_result.modification_level.name, "other")


def _signature_report(embedded, status, *, judged_at: datetime, stamped: bool,
                      revocation: str, revocation_problem: dict | None, revoked_by: str) -> dict:
    from pyhanko.sign.ades.report import AdESIndeterminate
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    cert = status.signing_cert
    signer = _signer(cert)
    problems = []
    stamp = status.timestamp_validity
    timestamp = None
    if stamp is not None:
        timestamp = {"at": _iso(stamp.timestamp),
                     "authority": _common_name(stamp.signing_cert)
                     if stamp.signing_cert is not None else None,
                     "valid": _stamp_ok(stamp)}
        if not timestamp["valid"]:
            problems.append(_problem(
                "timestamp_invalid",
                "Dấu thời gian kèm chữ ký không hợp lệ hoặc không do tổ chức tin cậy cấp; "
                "thời điểm ký không được xác nhận.",
                "The signature's timestamp is not valid or not from a trusted authority; the "
                "signing time is not confirmed."))
    if not status.intact:
        problems.append(_problem(
            "content_changed",
            "Nội dung đã bị thay đổi sau khi ký: mã băm của dữ liệu được ký không khớp.",
            "The content was changed after signing: the digest of the signed data does not "
            "match."))
    elif not status.valid:
        problems.append(_problem(
            "signature_invalid",
            "Giá trị chữ ký không khớp với chứng thư số của người ký.",
            "The signature value does not match the signer's certificate."))
    changed_after = _changed_after(status)
    if changed_after == "other":
        problems.append(_problem(
            "changed_after_signing",
            "Tệp đã bị sửa đổi sau khi ký (không chỉ điền biểu mẫu hay thêm ghi chú), "
            "ví dụ nội dung trang bị viết lại.",
            "The file was modified after signing (beyond form filling and annotations), "
            "e.g. page content rewritten."))
    elif status.docmdp_ok is False:
        problems.append(_problem(
            "changes_not_permitted",
            "Tệp đã bị thay đổi sau khi ký theo cách mà chữ ký chứng nhận không cho phép.",
            "The file was changed after signing in a way its certification signature does "
            "not permit."))
    indic = status.trust_problem_indic
    at_what = (f"thời điểm ghi trên dấu thời gian ({_shown(judged_at)})" if stamped
               else f"thời điểm kiểm tra ({_shown(judged_at)})")
    at_what_en = (f"the time of its timestamp ({_shown(judged_at)})" if stamped
                  else f"the time of this check ({_shown(judged_at)})")
    not_before = cert["tbs_certificate"]["validity"]["not_before"].native
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    expired = False
    if indic in (AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE) \
            or revocation == "revoked":
        revocation = "revoked"
        details = status.revocation_details
        whose = ("chứng thư của tổ chức cấp" if details is not None and details.ca_revoked
                 else "chứng thư số của người ký")
        whose_en = ("the issuing CA's certificate" if details is not None and details.ca_revoked
                    else "the signer's certificate")
        when = _shown(details.revocation_date) if details is not None else "?"
        source = revoked_by
        problems.append(_problem(
            "revoked",
            f"{whose[0].upper()}{whose[1:]} đã bị thu hồi từ {when} (theo {source}), trước "
            f"{at_what}: chữ ký không có giá trị.",
            f"{whose_en[0].upper()}{whose_en[1:]} was revoked on {when} (according to "
            f"{source}), before {at_what_en}: the signature is not valid."))
    elif indic == AdESIndeterminate.OUT_OF_BOUNDS_NO_POE or (
            indic is not None and not (not_before <= judged_at <= not_after)):
        if judged_at > not_after:
            expired = True
            problems.append(_problem(
                "expired",
                f"Chứng thư số của người ký đã hết hạn ngày {_shown(not_after)}, trước "
                f"{at_what}.",
                f"The signer's certificate expired on {_shown(not_after)}, before "
                f"{at_what_en}."))
        else:
            problems.append(_problem(
                "not_yet_valid",
                f"Chứng thư số của người ký chỉ có hiệu lực từ {_shown(not_before)}, sau "
                f"{at_what}.",
                f"The signer's certificate is valid only from {_shown(not_before)}, after "
                f"{at_what_en}."))
    elif indic == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        problems.append(_problem(
            "untrusted",
            "Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực tin cậy cấp (không tìm "
            f"được chuỗi tới chứng thư gốc tin cậy; tổ chức cấp: {signer['issuer']}).",
            "The certificate was not issued by a trusted certification authority (no chain "
            f"to a trusted root; issuer: {signer['issuer']})."))
    elif indic is not None:
        problems.append(_problem(
            "untrusted",
            f"Chuỗi chứng thư số không được chấp nhận ({indic.name}).",
            f"The certificate chain is not accepted ({indic.name})."))
    if revocation_problem is not None:
        problems.append(revocation_problem)
    return {"field": embedded.field_name, "signer": signer,
            "signed_at": _iso(status.signer_reported_dt), "timestamp": timestamp,
            "intact": bool(status.intact),
            "covers_whole_file": status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            "changed_after": changed_after, "trusted": indic is None and status.validation_path
            is not None and bool(status.valid),
            "chain": _chain(status, embedded), "expired": expired, "revocation": revocation,
            "valid": not problems, "problems": problems}


def _ocsp_status(response) -> str | None:
    try:
        basic = response["response_bytes"]["response"].parsed
        return basic["tbs_response_data"]["responses"][0]["cert_status"].name
    except Exception:  # noqa: BLE001 - an odd response says nothing
        return None


# ---------------------------------------------------------------- in a child process

#: The only variables the child gets: what Python and requests need (no secrets of the
#: service: the child reads files anyone could send).
CHILD_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "HOME", "TMPDIR", "TZ",
                     "PYTHONPATH", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def child_request(pdf: bytes, *, trust: TrustList, now: datetime, online: bool,
                  limits: Limits, revocation_sources: tuple[str, ...]) -> bytes:
    """What ``verify_worker`` reads on stdin: one JSON line of options, then the PDF."""
    header = {"trust": [base64.b64encode(der).decode() for der in trust.roots],
              "now": now.isoformat(), "online": online,
              "limits": {"max_bytes": limits.max_bytes, "max_signatures": limits.max_signatures,
                         "max_signature_bytes": limits.max_signature_bytes,
                         "seconds": limits.seconds},
              "revocation_sources": list(revocation_sources)}
    return json.dumps(header).encode() + b"\n" + pdf


def read_child_request(data: bytes) -> tuple[bytes, dict]:
    """``child_request`` read back: the PDF and ``verify_pdf``'s keyword arguments."""
    line, _, pdf = data.partition(b"\n")
    header = json.loads(line)
    return pdf, {"trust": TrustList([base64.b64decode(root) for root in header["trust"]]),
                 "now": datetime.fromisoformat(header["now"]), "online": header["online"],
                 "limits": Limits(**header["limits"]),
                 "revocation_sources": tuple(header["revocation_sources"])}


def _child_limits(seconds: float):
    def apply():
        import resource

        os.setsid()                  # its own group, killed as a whole at the timeout
        for kind, wanted in ((resource.RLIMIT_AS, CHILD_MEMORY_BYTES),
                             (resource.RLIMIT_CPU, int(seconds) + 2)):
            soft, hard = resource.getrlimit(kind)
            if hard != resource.RLIM_INFINITY:
                wanted = min(wanted, hard)
            resource.setrlimit(kind, (wanted, hard))
    return apply


def verify_in_child(pdf: bytes, *, trust: TrustList, now: datetime, online: bool = True,
                    limits: Limits = Limits(),
                    revocation_sources: tuple[str, ...] = REVOCATION_SOURCES) -> dict:
    """``verify_pdf`` in a child process (``python -m services.signing.verify_worker``)
    with an address-space and CPU limit, killed after ``limits.seconds``: a hostile file
    costs the child, never the caller. Green (eventlet) when the caller runs eventlet, so
    the hub keeps serving while the child works. No child is started for what needs no
    parser: a file over the size limit or certainly unsigned (``verify_pdf`` here), one
    refused by a byte scan (not a PDF, an oversized signature value)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=VN)
    if "eventlet" in sys.modules:
        from eventlet.green import subprocess
    else:
        import subprocess
    if len(pdf) > limits.max_bytes or not might_be_signed(pdf):   # not worth a process
        return verify_pdf(pdf, trust=trust, now=now, online=online, limits=limits)
    try:
        # the refusals that need no parser (an oversized signature value...) are made here:
        # a child would only start Python and pyHanko (≈ 1 s of CPU) to make them
        _check_before_parsing(pdf, limits)
    except Unreadable as refusal:
        return _report("unreadable", now=now, problems=[refusal.problem])
    request = child_request(pdf, trust=trust, now=now, online=online, limits=limits,
                            revocation_sources=revocation_sources)
    env = {name: os.environ[name] for name in CHILD_ENVIRONMENT if name in os.environ}
    env.setdefault("LC_ALL", "C.UTF-8")
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.signing.verify_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=ROOT, env=env, close_fds=True, preexec_fn=_child_limits(limits.seconds))
    except OSError as exc:
        return _report("unreadable", now=now, problems=[_problem(
            "worker_failed", f"không chạy được tiến trình kiểm tra ({exc}).",
            f"the verification process could not be started ({exc}).")])
    try:
        stdout, stderr = process.communicate(request, timeout=limits.seconds)
    except BaseException as exc:
        _kill(process)
        # eventlet's green communicate raises the TimeoutExpired of its own copy of the
        # subprocess module: known by its name
        if type(exc).__name__ != "TimeoutExpired":
            raise
        return _report("unreadable", now=now, problems=[_problem(
            "timeout",
            f"kiểm tra chữ ký quá thời gian cho phép ({limits.seconds:g} giây): tệp bất "
            "thường hoặc dịch vụ kiểm tra chứng thư quá chậm.",
            f"checking the signatures took longer than allowed ({limits.seconds:g} s): the "
            "file is abnormal or the certificate services are too slow.")])
    try:
        report = json.loads(stdout.decode("utf-8"))
        if isinstance(report, dict) and "status" in report:
            return report
    except ValueError:
        pass
    tail = stderr.decode("utf-8", "replace").strip()[-300:]
    memory = "MemoryError" in tail or "Cannot allocate" in tail
    return _report("unreadable", now=now, problems=[_problem(
        "too_large" if memory else "worker_failed",
        "tệp cần quá nhiều bộ nhớ để kiểm tra." if memory else
        f"tiến trình kiểm tra dừng bất thường (mã {process.returncode}).",
        "the file needs too much memory to check." if memory else
        f"the verification process ended abnormally (code {process.returncode}"
        + (f": {tail}" if tail else "") + ").")])


def _kill(process) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


__all__ = ["Limits", "TrustList", "verify_in_child", "verify_pdf", "unsigned_report",
           "REVOCATION_SOURCES"]
