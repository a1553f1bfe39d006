"""The package's XML-DSig signature (services.exchange.edxml.signature): signed through a
callback as the HSM behind the signing service signs (the codec never holds the key),
verified with signxml, and interoperable both ways with signxml's own signer; a changed
package or signature is "invalid", the samples' look-alike signatures "unverifiable"."""
from __future__ import annotations

import base64
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from signxml import SignatureConfiguration, XMLSigner, XMLVerifier
from signxml.algorithms import CanonicalizationMethod

from services.exchange.edxml.build import build_edoc, build_status
from services.exchange.edxml.errors import PackageError
from services.exchange.edxml.model import NAMESPACE
from services.exchange.edxml.parse import Limits, parse_package
from services.exchange.edxml.signature import (DSIG, ENVELOPED, EXC_C14N, RSA_SHA256, SHA256,
                                               sign_package, verify_package)
from tests.unit.exchange.test_edxml_roundtrip import BIG, FIXTURES, PDF, new_edoc, status
from tests.xml_signer import make_signer

NOW = datetime.now(timezone.utc)
HEADER = f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader"


@pytest.fixture(scope="module")
def signer():
    """A throw-away key and self-signed certificate (an RSA key takes a moment: made once)."""
    return make_signer(NOW - timedelta(days=1), NOW + timedelta(days=365))


def signed(signer, package: bytes | None = None) -> bytes:
    return sign_package(package or build_edoc(new_edoc()), signer.hsm, signer.der)


def signature_of(package: bytes):
    return etree.fromstring(package).find(f"{HEADER}/{{{DSIG}}}Signature")


# ---------------------------------------------------------------- signing

def test_a_package_signed_through_the_hsm_callback_verifies_as_valid(signer):
    check = verify_package(signed(signer))

    assert check.status == "valid"
    assert check.subject == "CN=Văn phòng UBND tỉnh Ninh Bình,O=UBND tỉnh Ninh Bình,C=VN"
    assert check.certificate_der == signer.der
    assert "hợp lệ" in check.vi and "Văn phòng UBND tỉnh Ninh Bình" in check.vi
    assert check.en.startswith("The signature is valid")


def test_the_callback_is_given_exactly_the_canonical_signed_info(signer):
    signer.signed_bytes.clear()
    package = signed(signer)

    (given,) = signer.signed_bytes
    signed_info = signature_of(package).find(f"{{{DSIG}}}SignedInfo")
    assert given == etree.tostring(signed_info, method="c14n", exclusive=True)
    assert given.startswith(b'<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">')
    value = base64.b64decode(signature_of(package).findtext(f"{{{DSIG}}}SignatureValue"))
    signer.key.public_key().verify(value, given, padding.PKCS1v15(), hashes.SHA256())


def test_the_signature_is_enveloped_rsa_sha256_and_the_headers_last_child(signer):
    root = etree.fromstring(signed(signer))
    header = root.find(HEADER)
    signature = header[-1]

    assert signature.tag == f"{{{DSIG}}}Signature" and signature.prefix == "ds"
    ds = {"ds": DSIG}
    assert signature.xpath("ds:SignedInfo/ds:CanonicalizationMethod/@Algorithm",
                           namespaces=ds) == [EXC_C14N]
    assert signature.xpath("ds:SignedInfo/ds:SignatureMethod/@Algorithm",
                           namespaces=ds) == [RSA_SHA256]
    (reference,) = signature.xpath("ds:SignedInfo/ds:Reference", namespaces=ds)
    assert reference.get("URI") == ""
    assert reference.xpath("ds:Transforms/ds:Transform/@Algorithm", namespaces=ds) == \
        [ENVELOPED, EXC_C14N]
    assert reference.xpath("ds:DigestMethod/@Algorithm", namespaces=ds) == [SHA256]
    assert signature.xpath("ds:KeyInfo/ds:X509Data/ds:X509SubjectName/text()",
                           namespaces=ds) == [signer.cert.subject.rfc4514_string()]
    assert signature.xpath("ds:KeyInfo/ds:X509Data/ds:X509Certificate/text()",
                           namespaces=ds) == [base64.b64encode(signer.der).decode()]


def test_a_signed_package_still_reads_as_its_values(signer):
    assert parse_package(signed(signer)) == new_edoc()


def test_a_status_package_is_signed_and_verified_too(signer):
    assert verify_package(signed(signer, build_status(status("03")))).status == "valid"


def test_a_package_with_a_file_over_libxml2s_text_node_limit_is_signed_and_verified(signer):
    edoc = new_edoc(attachments=[replace(new_edoc().attachments[0], data=BIG)])
    assert verify_package(signed(signer, build_edoc(edoc))).status == "valid"


def test_signing_and_verifying_refuse_what_parsing_refuses(signer):
    with pytest.raises(PackageError) as caught:
        verify_package(b'<!DOCTYPE edXML [<!ENTITY a "b">]><edXML/>')
    assert caught.value.code == "dtd_forbidden"
    with pytest.raises(PackageError) as caught:
        sign_package(build_edoc(new_edoc()), signer.hsm, signer.der,
                     limits=Limits(max_package_bytes=1024))
    assert caught.value.code == "too_large"
    with pytest.raises(PackageError) as caught:
        sign_package(b"<van-ban/>", signer.hsm, signer.der)
    assert caught.value.code == "not_edxml"


def test_signing_again_replaces_the_signature(signer):
    twice = signed(signer, signed(signer))

    assert len(list(etree.fromstring(twice).iter(f"{{{DSIG}}}Signature"))) == 1
    assert verify_package(twice).status == "valid"


def test_the_samples_look_alike_signature_is_replaced_when_signed(signer):
    sample = (FIXTURES / "edoc_update.edxml").read_bytes()
    package = signed(signer, sample)

    header = etree.fromstring(package).find(HEADER)
    assert [etree.QName(child).localname for child in header] == \
        ["MessageHeader", "TraceHeaderList", "Signature"]
    assert verify_package(package).status == "valid"


# ---------------------------------------------------------------- changes

def test_one_byte_of_an_attachment_changed_makes_the_signature_invalid(signer):
    package = signed(signer)
    payload = base64.b64encode(PDF)
    middle = package.index(payload) + len(payload) // 2
    changed = package[:middle] + (b"A" if package[middle:middle + 1] != b"A" else b"B") \
        + package[middle + 1:]

    check = verify_package(changed)
    assert check.status == "invalid"
    assert "changed after it was signed (digest mismatch)" in check.en
    assert "thay đổi sau khi ký" in check.vi
    assert check.certificate_der == signer.der


def test_a_changed_signature_value_makes_it_invalid(signer):
    package = signed(signer)
    value = signature_of(package).findtext(f"{{{DSIG}}}SignatureValue").encode()
    forged = base64.b64encode(bytes(len(base64.b64decode(value))))

    check = verify_package(package.replace(value, forged))
    assert check.status == "invalid"
    assert "signature value does not match" in check.en


def test_a_changed_subject_in_the_header_makes_it_invalid(signer):
    package = signed(signer).replace("V/v triển khai".encode(), "V/v hủy bỏ".encode())
    assert verify_package(package).status == "invalid"


# ---------------------------------------------------------------- signxml, both ways

def test_signxml_verifies_the_signature_we_make(signer):
    result = XMLVerifier().verify(signed(signer), x509_cert=signer.cert,
                                  expect_config=SignatureConfiguration(location=".//"))
    assert etree.QName(result.signed_xml).localname == "edXML"


def test_a_package_signed_by_signxml_verifies_with_verify_package(signer):
    root = etree.fromstring(build_edoc(new_edoc()))
    # signxml puts an enveloped signature where a placeholder is: in edXMLHeader
    etree.SubElement(root.find(HEADER), f"{{{DSIG}}}Signature", Id="placeholder")
    signed_root = XMLSigner(
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(root, key=signer.key, cert=[signer.cert])

    check = verify_package(etree.tostring(signed_root, xml_declaration=True, encoding="UTF-8"))
    assert (check.status, check.certificate_der) == ("valid", signer.der)


def test_a_signature_outside_the_header_is_unverifiable(signer):
    root = etree.fromstring(build_edoc(new_edoc()))
    signed_root = XMLSigner(
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(root, key=signer.key, cert=[signer.cert])      # the root's last child

    check = verify_package(etree.tostring(signed_root))
    assert (check.status, check.certificate_der) == ("unverifiable", signer.der)
    assert "not in edXMLHeader" in check.en


def test_a_sha1_signature_is_unverifiable(signer):
    class Sha1Signer(XMLSigner):
        def check_deprecated_methods(self):
            pass        # as legacy systems still sign (the SDK's samples say rsa-sha1)

    root = etree.fromstring(build_edoc(new_edoc()))
    etree.SubElement(root.find(HEADER), f"{{{DSIG}}}Signature", Id="placeholder")
    signed_root = Sha1Signer(
        signature_algorithm="rsa-sha1", digest_algorithm="sha1",
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(root, key=signer.key, cert=[signer.cert])

    check = verify_package(etree.tostring(signed_root))
    assert check.status == "unverifiable"
    assert "SHA-1" in check.vi and "it uses SHA-1" in check.en


# ---------------------------------------------------------------- what cannot be checked

def test_an_unsigned_package_has_its_signature_absent():
    check = verify_package(build_edoc(new_edoc()))
    assert (check.status, check.subject, check.certificate_der) == ("absent", None, None)
    assert check.vi == "Gói tin không có chữ ký số."


def test_the_samples_signature_outside_xml_dsig_is_unverifiable():
    for name in ("edoc_new.edxml", "edoc_update.edxml"):
        check = verify_package((FIXTURES / name).read_bytes())
        assert check.status == "unverifiable"
        assert "not XML-DSig" in check.en


def test_an_empty_digital_signature_element_is_unverifiable():
    package = build_edoc(new_edoc()).replace(
        b"</edXML:TraceHeaderList>", b"</edXML:TraceHeaderList><edXML:DigitalSignature/>")
    assert verify_package(package).status == "unverifiable"


def test_a_signature_whose_certificate_is_truncated_is_unverifiable(signer):
    package = signed(signer)
    certificate = base64.b64encode(signer.der)
    check = verify_package(package.replace(certificate, certificate[:11]))
    assert (check.status, check.certificate_der) == ("unverifiable", None)
    assert "certificate it carries cannot be read" in check.en


def test_an_expired_certificate_still_gives_a_valid_signature_its_trust_is_judged_elsewhere():
    old = make_signer(NOW - timedelta(days=800), NOW - timedelta(days=400))
    check = verify_package(signed(old))
    assert (check.status, check.certificate_der) == ("valid", old.der)
