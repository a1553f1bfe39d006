"""The package's own XML-DSig signature (DOMAIN.md §2.5): enveloped, over the whole package
(Reference URI=""), exclusive c14n, RSA-SHA256, the signer's certificate in
KeyInfo/X509Data, the ``ds:Signature`` element the last child of ``edXML:edXMLHeader``.

``sign_package`` never holds a key: it gives ``sign`` the exact bytes to sign (the canonical
SignedInfo) and the key, in an HSM behind the signing service, returns the PKCS#1 v1.5
SHA-256 signature. ``verify_package`` checks with signxml that the package is intact and that
the signature matches the certificate it carries; whether that certificate is trusted (its
chain, validity, revocation) is judged elsewhere, so the certificate is returned.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Callable, Literal

from cryptography import x509
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import (InvalidCertificate, InvalidDigest, InvalidInput,
                                InvalidSignature)

from .errors import PackageError
from .model import NAMESPACE
from .parse import Limits, load_xml, safe_parser

DSIG = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
#: Where the signature must be, for signxml (it appends ds:Signature).
LOCATION = f"./{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader/"
#: Signature elements that are not XML-DSig: the SDK samples' <Signature> in the edXML
#: namespace (with a truncated certificate), one builder's empty <edXML:DigitalSignature/>.
_NOT_DSIG = ("Signature", "DigitalSignature")


@dataclass(frozen=True)
class SignatureCheck:
    """What ``verify_package`` found: ``status`` "valid", "invalid" (the package or the
    signature was changed), "absent", or "unverifiable" (a signature that cannot be checked
    here, said why); ``subject`` and ``certificate_der`` of the certificate the signature
    carries, when it could be read; ``vi``/``en`` say it for the clerk and the sender."""
    status: Literal["valid", "invalid", "absent", "unverifiable"]
    subject: str | None
    certificate_der: bytes | None
    vi: str
    en: str


def _header(root):
    header = root.find(f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader")
    if header is None:
        raise PackageError("not_edxml", "Tệp không phải gói tin edXML (thiếu edXMLHeader) nên "
                           "không ký được.",
                           "The file is not an edXML package (no edXMLHeader) and cannot be "
                           "signed.", "edXMLHeader")
    return header


def _serialised(root) -> bytes:
    # never pretty-printed: whitespace added after signing would break the signature
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + etree.tostring(root, encoding="UTF-8", xml_declaration=False))


def sign_package(xml: bytes, sign: Callable[[bytes], bytes], certificate_der: bytes, *,
                 limits: Limits = Limits()) -> bytes:
    """``xml`` with its enveloped signature; a signature it had is replaced (a package
    carries one signature: its sender's). ``limits`` as the package was built or read
    with (only its size is checked here)."""
    root = load_xml(xml, limits)
    header = _header(root)
    for old in list(header):
        if isinstance(old.tag, str) and etree.QName(old).localname in _NOT_DSIG:
            header.remove(old)
    certificate = x509.load_der_x509_certificate(certificate_der)
    # The signature goes on its own line, indented: the whitespace that closed the header
    # becomes the signature's tail, with one more step of it before the signature. The
    # enveloped transform removes the signature element but not the text after it, so the
    # digest is of the package with both pieces of whitespace side by side, as they will
    # be once the signature is taken out.
    last = header[-1] if len(header) else None
    closing = (header.text if last is None else last.tail) or ""
    opening = closing + "  " if closing.startswith("\n") else closing

    def before_signature(text: str) -> None:
        if last is None:
            header.text = text
        else:
            last.tail = text

    before_signature(opening + closing)
    digest = hashlib.sha256(etree.tostring(root, method="c14n", exclusive=True,
                                           with_comments=False)).digest()
    before_signature(opening)

    def ds(parent, name: str, text: str | None = None, **attrib):
        element = etree.SubElement(parent, etree.QName(DSIG, name), **attrib)
        element.text = text
        return element

    signature = etree.SubElement(header, etree.QName(DSIG, "Signature"), nsmap={"ds": DSIG})
    signed_info = ds(signature, "SignedInfo")
    ds(signed_info, "CanonicalizationMethod", Algorithm=EXC_C14N)
    ds(signed_info, "SignatureMethod", Algorithm=RSA_SHA256)
    reference = ds(signed_info, "Reference", URI="")
    transforms = ds(reference, "Transforms")
    ds(transforms, "Transform", Algorithm=ENVELOPED)
    ds(transforms, "Transform", Algorithm=EXC_C14N)
    ds(reference, "DigestMethod", Algorithm=SHA256)
    ds(reference, "DigestValue", base64.b64encode(digest).decode())
    value = ds(signature, "SignatureValue")
    x509_data = ds(ds(signature, "KeyInfo"), "X509Data")
    ds(x509_data, "X509SubjectName", certificate.subject.rfc4514_string())
    ds(x509_data, "X509Certificate", base64.b64encode(certificate_der).decode())
    signature.tail = closing
    value.text = base64.b64encode(sign(etree.tostring(
        signed_info, method="c14n", exclusive=True, with_comments=False))).decode()
    return _serialised(root)


# ---------------------------------------------------------------- verification

def _check(status, vi: str, en: str, certificate: x509.Certificate | None = None,
           der: bytes | None = None) -> SignatureCheck:
    subject = certificate.subject.rfc4514_string() if certificate is not None else None
    return SignatureCheck(status=status, subject=subject, certificate_der=der, vi=vi, en=en)


def _unverifiable(vi_why: str, en_why: str, certificate=None, der=None) -> SignatureCheck:
    return _check("unverifiable", f"Không kiểm tra được chữ ký số của gói tin: {vi_why}.",
                  f"The package's signature cannot be verified: {en_why}.", certificate, der)


_SIGNATURE_METHODS = frozenset(method for method in SignatureMethod
                               if "SHA1" not in method.name and "HMAC" not in method.name)
_DIGESTS = frozenset(digest for digest in DigestAlgorithm if "SHA1" not in digest.name)


def verify_package(xml: bytes, *, limits: Limits = Limits()) -> SignatureCheck:
    """Whether the package's XML-DSig signature is intact and matches its certificate.
    Raises ``PackageError`` only when ``xml`` is not XML that can be read safely (over
    ``limits.max_package_bytes``, malformed, with a DOCTYPE): what parse_package refuses
    first."""
    root = load_xml(xml, limits)
    signatures = list(root.iter(f"{{{DSIG}}}Signature"))
    if not signatures:
        if any(isinstance(element.tag, str) and etree.QName(element).localname in _NOT_DSIG
               for element in _header(root)):
            return _unverifiable(
                "phần chữ ký không theo chuẩn XML-DSig (sai không gian tên, hoặc để trống)",
                "its signature element is not XML-DSig (another namespace, or empty)")
        return _check("absent", "Gói tin không có chữ ký số.",
                      "The package has no digital signature.")
    if len(signatures) > 1:
        return _unverifiable("gói tin có nhiều chữ ký", "the package has several signatures")
    signature = signatures[0]
    encoded = signature.findtext(f"{{{DSIG}}}KeyInfo/{{{DSIG}}}X509Data/{{{DSIG}}}"
                                 "X509Certificate")
    try:
        der = base64.b64decode("".join((encoded or "").split()), validate=True)
        certificate = x509.load_der_x509_certificate(der)
    except Exception:  # noqa: BLE001 - base64 and DER errors alike: no usable certificate
        return _unverifiable("không đọc được chứng thư số kèm theo chữ ký",
                             "the certificate it carries cannot be read")
    parent = signature.getparent()
    if parent is None or parent.tag != f"{{{NAMESPACE}}}edXMLHeader":
        return _unverifiable("chữ ký không nằm trong edXMLHeader như QCVN 102 quy định",
                             "it is not in edXMLHeader, where QCVN 102 puts it",
                             certificate, der)
    algorithms = signature.xpath("ds:SignedInfo/ds:SignatureMethod/@Algorithm"
                                 " | ds:SignedInfo/ds:Reference/ds:DigestMethod/@Algorithm",
                                 namespaces={"ds": DSIG})
    if any(algorithm.lower().endswith("sha1") for algorithm in algorithms):
        return _unverifiable("chữ ký dùng thuật toán SHA-1, đã lỗi thời và không còn được "
                             "chấp nhận", "it uses SHA-1, which is no longer accepted",
                             certificate, der)
    # The certificate's validity in time is judged elsewhere, with its chain, at the
    # package's time: signxml checks the mathematics only, at a moment the certificate
    # is valid.
    moment = (certificate.not_valid_before_utc
              + (certificate.not_valid_after_utc - certificate.not_valid_before_utc) / 2)
    config = SignatureConfiguration(location=LOCATION, expect_references=1,
                                    signature_methods=_SIGNATURE_METHODS,
                                    digest_algorithms=_DIGESTS, verification_time=moment)
    parser, _ = safe_parser()
    try:
        XMLVerifier().verify(root, x509_cert=certificate, parser=parser, expect_config=config)
    except InvalidDigest:
        return _check("invalid", "Chữ ký số KHÔNG hợp lệ: nội dung gói tin đã bị thay đổi sau "
                                 "khi ký (giá trị băm không khớp).",
                      "The signature is NOT valid: the package was changed after it was "
                      "signed (digest mismatch).", certificate, der)
    except InvalidCertificate as exc:
        return _unverifiable("chứng thư số không dùng được", f"the certificate is unusable "
                             f"({exc})"[:300], certificate, der)
    except InvalidSignature:
        return _check("invalid", "Chữ ký số KHÔNG hợp lệ: giá trị chữ ký không khớp với chứng "
                                 "thư số kèm theo (chữ ký hoặc phần được ký đã bị thay đổi).",
                      "The signature is NOT valid: the signature value does not match the "
                      "certificate it carries (the signature or what it signs was changed).",
                      certificate, der)
    except InvalidInput as exc:
        # a form signxml does not take: another algorithm, several references, a schema error
        return _unverifiable("chữ ký không theo dạng được chấp nhận",
                             f"it is not in an accepted form ({exc})"[:300], certificate, der)
    except Exception as exc:  # noqa: BLE001 - a hostile signature gets an answer, not a crash
        return _unverifiable("chữ ký bị hỏng", f"it is damaged ({type(exc).__name__})",
                             certificate, der)
    subject = certificate.subject.rfc4514_string()
    return _check("valid", f"Chữ ký số hợp lệ, ký bởi {subject} (độ tin cậy của chứng thư số "
                           "được kiểm tra riêng).",
                  f"The signature is valid, signed by {subject} (the certificate's trust is "
                  "checked separately).", certificate, der)
