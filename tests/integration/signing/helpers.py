"""What the signing integration tests share: tokens as each party would mint them, and the
registration of the session demo PKI's certificates."""
import base64

from services.common.identity import Caller, Membership, mint_token, system_caller
from services.signing.images import demo_seal_png, demo_signature_png
from tests.token_keys import TEST_KEYS

SIGNER = "u-signer"          # holds the person's certificate (demo holder person:signer)
OTHER = "u-other-person"
CLERK_ID = "u-vanthu"
UNIT = "unit-ubnd-tinh"      # holds the organisation's certificate (organisation:org)
OTHER_UNIT = "unit-so-noi-vu"
NUMBER, DATE = "15/QĐ-UBND", "ngày 07 tháng 12 năm 2026"


def system(service: str) -> str:
    return mint_token(system_caller(service), TEST_KEYS, 300)


def person(user_id: str, *memberships: tuple[str, str]) -> str:
    return mint_token(Caller(user_id=user_id, username=user_id, full_name=user_id,
                             memberships=tuple(Membership(u, r) for u, r in memberships)),
                      TEST_KEYS, 300)


def pem_text(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read()


def registration(demo_pki, label: str, **holder) -> dict:
    found = demo_pki.holders[label]
    organisation = found.kind == "organisation"
    image = demo_seal_png(found.common_name) if organisation else \
        demo_signature_png(found.common_name)
    return {**holder, "holder_kind": found.kind,
            "certificate": pem_text(found.certificate_path),
            "chain": [pem_text(demo_pki.intermediate_certificate_path),
                      pem_text(demo_pki.root_certificate_path)],
            "key_store": found.key_store,
            "key_ref": found.key_label if found.key_store == "pkcs11" else found.pkcs12_path,
            "image_png": base64.b64encode(image).decode(),
            "image_width_mm": 36 if organisation else None}


def register_both(signing, demo_pki) -> tuple[dict, dict]:
    token = system("signing")
    return (signing.register_certificate(token, registration(
                demo_pki, "person:signer", user_id=SIGNER, unit_id=UNIT)),
            signing.register_certificate(token, registration(
                demo_pki, "organisation:org", unit_id=UNIT)))
