"""Hostile and broken packages given to parse_package: each is refused with a PackageError
that says why (a stable code, a message for the clerk and one for the sender, the field at
fault), in bounded work — never an lxml, base64 or zip exception, never an entity expanded
or a file read, never a ZIP inflated past the limits."""
from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib
from dataclasses import replace

import pytest

from services.exchange.edxml.build import build_edoc, build_status
from services.exchange.edxml.errors import CODES, PackageError
from services.exchange.edxml.model import NAMESPACE, Attachment
from services.exchange.edxml.parse import Limits, parse_package
from tests.cpu_clock import CpuClock
from tests.unit.exchange.test_edxml_roundtrip import FIXTURES, PDF, new_edoc, status

MIB = 1024 * 1024


def refusal(data: bytes, limits: Limits = Limits(), within: float = 2.0) -> PackageError:
    """The PackageError ``data`` is refused with, checked to be complete and to have cost
    less than ``within`` CPU seconds."""
    with CpuClock() as cpu, pytest.raises(PackageError) as caught:
        parse_package(data, limits)
    assert cpu.seconds < within
    error = caught.value
    assert error.code in CODES and error.vi and error.en
    return error


def package(*substitutions: tuple[str, str], edoc=None) -> bytes:
    text = build_edoc(edoc or new_edoc()).decode()
    for old, new in substitutions:
        assert old in text
        text = text.replace(old, new, 1)
    return text.encode()


def body_of(data: bytes) -> str:
    """The package without its XML declaration, for a DOCTYPE to go before it."""
    return data.decode().split("?>", 1)[1]


# ---------------------------------------------------------------- size and XML

def test_a_package_over_the_size_limit_is_refused_before_it_is_parsed():
    error = refusal(b"<" * 2000, Limits(max_package_bytes=1000))
    assert error.code == "too_large"
    assert error.en == "The package is 2 KB, over the limit of 1 KB."


def test_malformed_xml_is_refused_as_not_xml():
    whole = build_status(status("03"))
    for broken in (b"", b"not xml at all", whole[:len(whole) // 2], whole + b"<extra/>",
                   whole.replace(b"</edXML:StatusCode>", b"</edXML:Statuscode>")):
        assert refusal(broken).code == "not_xml"


def test_a_package_cut_anywhere_raises_only_a_package_error():
    whole = build_status(status("16"))
    for end in range(0, len(whole), 29):
        with pytest.raises(PackageError):
            parse_package(whole[:end])


def test_an_entity_reference_without_a_doctype_is_refused_as_not_xml():
    data = package(("V/v triển khai", "&secret; V/v triển khai"))
    assert refusal(data).code == "not_xml"


def test_nesting_ten_thousand_deep_is_refused_as_not_xml():
    data = b"<edXML>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</edXML>"
    assert refusal(data).code == "not_xml"


# ---------------------------------------------------------------- DOCTYPE

def test_any_doctype_is_refused():
    data = b'<?xml version="1.0"?><!DOCTYPE edXML [<!ELEMENT edXML ANY>]>' + body_of(
        build_status(status("01"))).encode()
    error = refusal(data)
    assert (error.code, error.field) == ("dtd_forbidden", None)


def test_an_external_entity_naming_a_local_file_is_refused_and_the_file_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("mật khẩu: hunter2")
    text = body_of(package(("V/v triển khai", "&xxe; V/v triển khai")))
    data = (f'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
            + text).encode()

    error = refusal(data)
    assert error.code == "dtd_forbidden"
    assert "hunter2" not in error.vi + error.en


def test_an_external_dtd_is_refused():
    data = (b'<?xml version="1.0"?><!DOCTYPE edXML SYSTEM "http://203.0.113.9/edxml.dtd">'
            + body_of(build_status(status("01"))).encode())
    assert refusal(data).code == "dtd_forbidden"


def test_a_billion_laughs_is_refused_without_expanding_anything():
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    data = (f'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY lol0 "lol">{entities}]>'
            f'<edXML xmlns="{NAMESPACE}">&lol9;</edXML>').encode()
    assert refusal(data, within=0.5).code == "dtd_forbidden"


# ---------------------------------------------------------------- not edXML

def test_the_flat_go_vn_variant_is_refused_for_its_wrong_namespace():
    data = ('<EdXMLEnvelope xmlns="http://www.go.vn/eDoc"><MessageHeader><From>'
            '<OrganId>000.00.00.H44</OrganId></From><DocumentId>x</DocumentId></MessageHeader>'
            '<Manifest/></EdXMLEnvelope>').encode()
    error = refusal(data)
    assert error.code == "wrong_namespace"
    assert "http://www.go.vn/eDoc" in error.en and NAMESPACE in error.vi


def test_an_edxml_root_without_the_qcvn_namespace_is_refused_for_it():
    text = build_status(status("01")).decode().replace(f' xmlns="{NAMESPACE}"', "", 1)
    error = refusal(text.encode())
    assert error.code == "wrong_namespace"
    assert error.en.startswith("The package uses no namespace;")


def test_other_xml_is_refused_as_not_edxml():
    for data in (b"<van-ban-qua-mang><so-ky-hieu-van-ban>1/UBND</so-ky-hieu-van-ban>"
                 b"</van-ban-qua-mang>",
                 f'<edXML xmlns="{NAMESPACE}"><AttachmentEncoded/></edXML>'.encode(),
                 f'<edXML xmlns="{NAMESPACE}"><edXMLEnvelope><edXMLHeader/></edXMLEnvelope>'
                 f'</edXML>'.encode(),
                 b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
                 b'<SOAP-ENV:Header/></SOAP-ENV:Envelope>'):
        assert refusal(data).code == "not_edxml"


# ---------------------------------------------------------------- statuses

def test_status_14_is_refused_as_unknown_and_the_sender_told_of_15():
    data = build_status(status("15")).replace(b">15</edXML:StatusCode>", b">14</edXML:StatusCode>")
    error = refusal(data)
    assert (error.code, error.field) == ("unknown_status", "StatusCode")
    assert "'14'" in error.en and "15" in error.en


def test_status_99_is_refused_as_unknown():
    data = build_status(status("06")).replace(b">06</edXML:StatusCode>", b">99</edXML:StatusCode>")
    assert refusal(data).code == "unknown_status"


def test_a_status_without_the_document_it_answers_or_its_code_is_refused():
    whole = build_status(status("03"))
    start = whole.index(b"<edXML:DocumentId>")
    end = whole.index(b"</edXML:DocumentId>") + len(b"</edXML:DocumentId>")
    error = refusal(whole[:start] + b"<edXML:DocumentId/>" + whole[end:])
    assert (error.code, error.field) == ("missing_field", "ResponseFor/DocumentId")
    error = refusal(whole.replace(b"<edXML:StatusCode>03</edXML:StatusCode>",
                                  b"<edXML:StatusCode> </edXML:StatusCode>"))
    assert (error.code, error.field) == ("missing_field", "StatusCode")


# ---------------------------------------------------------------- required and bad values

def test_an_edoc_without_document_id_or_what_derives_it_is_refused():
    edoc = new_edoc()
    data = package((f"<edXML:DocumentId>{edoc.document_id}</edXML:DocumentId>", ""),
                   ("<edXML:PromulgationDate>2026/12/04</edXML:PromulgationDate>",
                    "<edXML:PromulgationDate/>"))
    error = refusal(data)
    assert (error.code, error.field) == ("missing_field", "DocumentId")


def test_an_edoc_without_its_senders_id_is_refused():
    data = package(("<edXML:OrganId>000.00.00.H44</edXML:OrganId>", "<edXML:OrganId/>"))
    error = refusal(data)
    assert (error.code, error.field) == ("missing_field", "From/OrganId")


@pytest.mark.parametrize(("old", "new", "field"), [
    ("<edXML:Priority>1<", "<edXML:Priority>5<", "OtherInfo/Priority"),
    ("<edXML:Priority>1<", "<edXML:Priority>-1<", "OtherInfo/Priority"),
    ("<edXML:Priority>1<", "<edXML:Priority>Khẩn<", "OtherInfo/Priority"),
    ("<edXML:PromulgationDate>2026/12/04<", "<edXML:PromulgationDate>2026/02/30<",
     "PromulgationInfo/PromulgationDate"),
    ("<edXML:PromulgationDate>2026/12/04<", "<edXML:PromulgationDate>4 tháng 12<",
     "PromulgationInfo/PromulgationDate"),
    ("<edXML:Timestamp>2026/12/07 09:30:05<", "<edXML:Timestamp>2026/12/07 25:30:05<",
     "TraceHeader/Timestamp"),
    ("<edXML:PageAmount>2<", "<edXML:PageAmount>" + "9" * 5000 + "<", "OtherInfo/PageAmount"),
    ("<edXML:BussinessDocType>0<", "<edXML:BussinessDocType>4<", "Bussiness/BussinessDocType"),
    ("<edXML:Paper>1<", "<edXML:Paper>có<", "Bussiness/Paper"),
])
def test_a_value_a_field_cannot_hold_is_refused_naming_the_field(old, new, field):
    error = refusal(package((old, new)))
    assert (error.code, error.field) == ("bad_value", field)


# ---------------------------------------------------------------- attachments

def test_a_payload_that_is_not_base64_is_refused():
    data = package((base64.b64encode(PDF).decode()[:40], "không phải base64!!"))
    error = refusal(data)
    assert error.code == "bad_attachment"
    assert error.field == "Attachment[cid:4f9c1a52-3b1e-4c55-9d7a-0c2b8e6f1a01]"


def test_an_attachment_over_the_limit_is_refused_before_it_is_decoded():
    error = refusal(build_edoc(new_edoc()), Limits(max_attachment_bytes=4096))
    assert error.code == "attachment_too_large"
    assert "152-UBND-VP.signed.pdf" in error.vi


def test_a_package_carrying_a_200_mib_attachment_is_refused_by_its_size_unparsed():
    small = build_edoc(new_edoc())
    encoded = base64.b64encode(PDF)
    assert encoded[:64] in small
    start = small.index(encoded[:64])
    end = small.index(b"<", start)
    huge = small[:start] + b"A" * (200 * MIB * 4 // 3) + small[end:]   # 200 MiB, in base64
    error = refusal(huge, within=1.0)                 # the deployment's default limits
    assert error.code == "too_large"
    assert "60 MB" in error.en


def test_more_attachments_than_allowed_are_refused():
    assert refusal(build_edoc(new_edoc()), Limits(max_attachments=1)).code == \
        "too_many_attachments"


def test_a_manifest_reference_without_its_attachment_encoded_is_refused():
    text = build_edoc(new_edoc()).decode()
    start = text.index("<Attachment>")
    end = text.index("</Attachment>") + len("</Attachment>")
    error = refusal((text[:start] + text[end:]).encode())
    assert error.code == "attachment_mismatch"
    assert "manifest" in error.en and "4f9c1a52-3b1e-4c55-9d7a-0c2b8e6f1a01" in error.field


def test_an_attachment_encoded_without_its_manifest_reference_is_refused():
    text = build_edoc(new_edoc()).decode()
    start = text.index("<edXML:Reference ")
    end = text.index("</edXML:Reference>") + len("</edXML:Reference>")
    error = refusal((text[:start] + text[end:]).encode())
    assert error.code == "attachment_mismatch"
    assert "not listed in the manifest" in error.en


def test_one_content_id_twice_is_refused():
    edoc = new_edoc()
    other = edoc.attachments[1].content_id
    first = edoc.attachments[0].content_id
    data = package((f"<ContentId>{other}<", f"<ContentId>{first}<"))
    assert refusal(data).code == "attachment_mismatch"


# ---------------------------------------------------------------- ZIP payloads

def deflated_zeros(mebibytes: int) -> bytes:
    """A raw deflate stream of ``mebibytes`` MiB of zeros, made without deflating them all:
    one MiB deflated once, flushed to a byte boundary with a reset, and repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * mebibytes + compressor.flush(zlib.Z_FINISH)


def zip_of(deflated: bytes, claimed_size: int, name: bytes = b"bomb.pdf") -> bytes:
    """A one-file ZIP, written by hand so its header may claim any size (and a wrong CRC)."""
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, 0, len(deflated),
                        claimed_size, len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, 0,
                          len(deflated), claimed_size, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central),
                      len(local) + len(deflated), 0)
    return local + deflated + central + end


def with_payload(data: bytes, count: int = 1) -> bytes:
    attachments = [Attachment(content_id=f"z{n}", name=f"tệp {n}.pdf",
                              content_type="application/zip", data=data)
                   for n in range(count)]
    return build_edoc(replace(new_edoc(), attachments=attachments))


def test_a_zip_bomb_is_refused_from_its_header_without_inflating_it():
    bomb = with_payload(zip_of(deflated_zeros(1024), claimed_size=1024 * MIB))   # 1 GiB
    error = refusal(bomb, within=1.0)
    assert error.code == "attachment_too_large"
    assert "unzipped" in error.en


def test_a_zip_bomb_that_lies_about_its_size_is_inflated_no_further_than_it_claims():
    bomb = with_payload(zip_of(deflated_zeros(1024), claimed_size=MIB))
    assert refusal(bomb, within=1.0).code == "bad_attachment"   # its CRC, checked at 1 MiB


def test_what_the_attachments_unzip_to_together_is_bounded():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ba-mebibyte.pdf", bytes(3 * MIB))
    limits = Limits(max_attachment_bytes=4 * MIB, max_inflated_bytes=5 * MIB)

    assert len(parse_package(with_payload(buffer.getvalue()), limits).attachments) == 1
    error = refusal(with_payload(buffer.getvalue(), count=2), limits)
    assert (error.code, error.field) == ("too_large", "AttachmentEncoded")


def test_a_zip_declaring_a_hundred_thousand_members_is_kept_as_sent_without_reading_them():
    name = b"a.pdf"
    entry = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, 0, 0, 0,
                        len(name), 0, 0, 0, 0, 0, 0) + name
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) \
        + name
    count = 100_000
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, len(entry) * count,
                      len(local), 0)
    many = local + entry * count + end

    with CpuClock() as cpu:
        (attachment,) = parse_package(with_payload(many)).attachments
    assert cpu.seconds < 1.0
    assert attachment.data == many


def test_a_damaged_zip_is_refused():
    damaged = zip_of(b"\xff" * 64, claimed_size=1000)
    assert refusal(with_payload(damaged)).code == "bad_attachment"


def test_bytes_that_only_start_like_a_zip_are_kept_as_the_file():
    data = b"PK\x03\x04 not really a zip"
    (attachment,) = parse_package(with_payload(data)).attachments
    assert (attachment.data, attachment.content_type) == (data, "application/zip")


def test_the_sample_is_refused_when_its_zip_inflates_past_the_limit():
    sample = (FIXTURES / "edoc_new.edxml").read_bytes()
    error = refusal(sample, Limits(max_attachment_bytes=300_000))
    assert error.code == "attachment_too_large"
