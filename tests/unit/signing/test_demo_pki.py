"""The demo PKI: its certificates chain to the root, and the served CRL, OCSP and TSA answer
what a validator needs (checked with pyhanko_certvalidator, fetching over HTTP with requests,
in this eventlet-patched test process)."""
import asyncio
import hashlib
import os
from datetime import datetime, timezone

import pytest
import requests
from asn1crypto import algos, crl, ocsp, pem, tsp, x509
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import ExpiredError, PathBuildingError, RevokedError
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from services.signing.trust import TIME_TOLERANCE
from services.signing.demo_pki import load_demo_pki


def load_cert(path: str) -> x509.Certificate:
    with open(path, "rb") as f:
        return x509.Certificate.load(pem.unarmor(f.read())[2])


def validation_context(pki, rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED):
    # The intermediate CA's status comes from the root's CRL (the root runs no OCSP).
    policy = CertRevTrustPolicy(RevocationCheckingPolicy(
        ee_certificate_rule=rule,
        intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED))
    # made before the answers are fetched, so on a busy machine they are seconds newer than
    # its moment: the tolerance the service's own context has (trust.TIME_TOLERANCE)
    return ValidationContext(
        trust_roots=[load_cert(pki.root_certificate_path)], allow_fetching=True,
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=5), revinfo_policy=policy,
        time_tolerance=TIME_TOLERANCE)


def validate(pki, label, rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED):
    context = validation_context(pki, rule)
    validator = CertificateValidator(
        load_cert(pki.holders[label].certificate_path),
        intermediate_certs=[load_cert(pki.intermediate_certificate_path)],
        validation_context=context)
    path = asyncio.run(validator.async_validate_usage({"digital_signature", "non_repudiation"}))
    return path, context


def ocsp_status(pki, label) -> str:
    cert = load_cert(pki.holders[label].certificate_path)
    issuer = load_cert(pki.intermediate_certificate_path)
    request = ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": {
        "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha1"}),
        "issuer_name_hash": issuer.subject.sha1,
        "issuer_key_hash": issuer.public_key.sha1,
        "serial_number": cert.serial_number,
    }}]}})
    answer = requests.post(pki.ocsp_url, data=request.dump(), timeout=5,
                           headers={"Content-Type": "application/ocsp-request"})
    response = ocsp.OCSPResponse.load(answer.content)
    assert response["response_status"].native == "successful"
    # Answered at the real current time, not a frozen one.
    produced_at = response.basic_ocsp_response["tbs_response_data"]["produced_at"].native
    assert abs((produced_at - datetime.now(timezone.utc)).total_seconds()) < 60
    single = response.basic_ocsp_response["tbs_response_data"]["responses"][0]
    return single["cert_status"].name


def test_a_person_certificate_chains_to_the_root_and_is_good_by_the_served_crl_and_ocsp(
        demo_pki):
    path, context = validate(demo_pki, "person:signer")
    assert [c.subject.native["common_name"] for c in path] == [
        "E-Office Demo Root CA", "E-Office Demo Issuing CA", "Nguyễn Văn Ký"]
    assert context.ocsps or context.crls


def test_the_ocsp_responder_alone_answers_good_for_a_normal_holder(demo_pki):
    _path, context = validate(demo_pki, "person:signer", RevocationCheckingRule.OCSP_REQUIRED)
    assert context.ocsps
    assert ocsp_status(demo_pki, "person:signer") == "good"


def test_the_served_crl_alone_vouches_for_a_normal_holder(demo_pki):
    _path, context = validate(demo_pki, "person:signer", RevocationCheckingRule.CRL_REQUIRED)
    assert context.crls


def test_an_organisation_certificate_held_in_the_hsm_validates_too(demo_pki):
    path, _context = validate(demo_pki, "organisation:org")
    leaf = path.leaf
    assert leaf.subject.native == {"country_name": "VN",
                                   "organization_name": "Ủy ban nhân dân tỉnh Thử Nghiệm",
                                   "common_name": "Ủy ban nhân dân tỉnh Thử Nghiệm"}


def test_a_person_certificate_has_the_signing_key_usages_and_vietnamese_subject(demo_pki):
    cert = load_cert(demo_pki.holders["person:hsm-signer"].certificate_path)
    assert cert.key_usage_value.native == {"digital_signature", "non_repudiation"}
    assert cert.subject.native["common_name"] == "Trần Thị Hà"
    assert cert.subject.native["organization_name"] == "Sở Nội vụ tỉnh Thử Nghiệm"
    assert cert.subject.native["country_name"] == "VN"
    assert cert.crl_distribution_points[0]["distribution_point"].native == [demo_pki.crl_url]
    assert cert.ocsp_urls == [demo_pki.ocsp_url]


def test_the_revoked_holder_is_reported_revoked_by_ocsp_and_listed_in_the_crl(demo_pki):
    with pytest.raises(RevokedError):
        validate(demo_pki, "test:revoked", RevocationCheckingRule.OCSP_REQUIRED)
    with pytest.raises(RevokedError):
        validate(demo_pki, "test:revoked", RevocationCheckingRule.CRL_REQUIRED)
    assert ocsp_status(demo_pki, "test:revoked") == "revoked"
    served = crl.CertificateList.load(requests.get(demo_pki.crl_url, timeout=5).content)
    revoked = load_cert(demo_pki.holders["test:revoked"].certificate_path)
    assert [entry["user_certificate"].native
            for entry in served["tbs_cert_list"]["revoked_certificates"]] == [
        revoked.serial_number]


def test_the_expired_holder_is_reported_expired(demo_pki):
    with pytest.raises(ExpiredError):
        validate(demo_pki, "test:expired")


def test_the_stranger_from_an_unknown_root_is_not_trusted(demo_pki):
    with pytest.raises(PathBuildingError):
        validate(demo_pki, "test:stranger")
    stranger = load_cert(demo_pki.holders["test:stranger"].certificate_path)
    unknown_root = load_cert(os.path.join(demo_pki.directory, "unknown-root.pem"))
    assert stranger.issuer == unknown_root.subject
    assert unknown_root.self_signed == "maybe"


def test_the_tsa_gives_a_token_over_http_that_validates_now(demo_pki):
    digest = hashlib.sha256(b"van ban di").digest()
    request = tsp.TimeStampReq({
        "version": 1, "cert_req": True, "nonce": 20261207,
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"},
                            "hashed_message": digest}})
    answer = requests.post(demo_pki.tsa_url, data=request.dump(), timeout=5,
                           headers={"Content-Type": "application/timestamp-query"})
    response = tsp.TimeStampResp.load(answer.content)
    assert response["status"]["status"].native == "granted"
    token = response["time_stamp_token"]
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    assert info["nonce"].native == 20261207
    # The real current time, not a frozen one.
    gen_time = info["gen_time"].native
    assert abs((gen_time - datetime.now(timezone.utc)).total_seconds()) < 60

    status = asyncio.run(validate_tst_signed_data(
        token["content"], validation_context(demo_pki),
        expected_tst_imprint=lambda _algorithm: digest))
    assert status["intact"] and status["valid"]
    assert status["trust_problem_indic"] is None


def test_load_demo_pki_reads_back_what_the_build_wrote(demo_pki):
    again = load_demo_pki(demo_pki.directory)
    assert again == demo_pki
    assert set(again.holders) == {"person:signer", "person:hsm-signer", "organisation:org",
                                  "test:expired", "test:revoked", "test:stranger"}
    assert again.holders["person:signer"].pkcs12_path.endswith(".p12")
    assert again.holders["person:hsm-signer"].key_label == "person:hsm-signer"
    assert again.holders["person:hsm-signer"].pkcs12_path is None
    assert not any(name.startswith("person-hsm") or name.startswith("organisation-org")
                   for name in os.listdir(os.path.join(demo_pki.directory, "pkcs12")))
