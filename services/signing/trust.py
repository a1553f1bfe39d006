"""The trust list and the validation context pyHanko checks chains with, one way for both
uses: embedding validation data when signing (PAdES B-LT) and verifying what arrives.
Fetching (CRL, OCSP, issuers' certificates) goes through ``requests`` — green under
eventlet — never aiohttp, with short timeouts and bounded counts."""
from __future__ import annotations

from datetime import datetime, timedelta

from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.api import FetchLimits
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

#: How far a CRL's or an OCSP answer's time may be from the validation's: the context is
#: made before fetching, and responders' clocks differ a little (pyHanko's default is 1 s).
TIME_TOLERANCE = timedelta(seconds=120)
#: Seconds per CRL / OCSP / certificate request, and how many a validation may make.
FETCH_TIMEOUT = 5
FETCH_LIMITS = FetchLimits(max_requests=50, max_cert_requests=20, max_aia_urls_per_object=3)


def validation_context(roots_der: list[bytes], *, online: bool,
                       moment: datetime | None = None,
                       extra_certificates: list[bytes] = ()) -> ValidationContext:
    """A context trusting ``roots_der`` (DER certificates). ``online``: fetch revocation
    data, soft-failing when the services cannot be reached (the report says so);
    offline: revocation is not checked."""
    roots = [asn1_x509.Certificate.load(der) for der in roots_der]
    others = [asn1_x509.Certificate.load(der) for der in extra_certificates]
    return ValidationContext(
        trust_roots=roots, other_certs=others, moment=moment, allow_fetching=online,
        revocation_mode="soft-fail", time_tolerance=TIME_TOLERANCE,
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=FETCH_TIMEOUT,
                                               limits=FETCH_LIMITS) if online else None)
