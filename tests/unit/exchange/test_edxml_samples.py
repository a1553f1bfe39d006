"""The VPCP EDOC SDK's own sample packages (tests/fixtures/edxml, see SOURCE.md) read as the
values they carry: one test per file."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from services.exchange.edxml.model import (NEW, UPDATE, VN, Edoc, Organ, ResponseFor,
                                           StaffInfo, Status)
from services.exchange.edxml.parse import parse_package

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edxml"
#: the file inside both samples' ZIP payload (an edXML package itself)
INNER_SIZE = 388_347
INNER_SHA256 = "8385739ec4a4ed36d71eabcaead629641ffc5ffff3d487ff5c34d2f821c9f36e"
SAMPLE_STAFF = StaffInfo(department="Văn thư văn phòng", staff="Nguyễn Thị Ngọc Trâm",
                         mobile="84912000001", email="vanthuvanphong@gov.vn")


def read(name: str):
    return parse_package((FIXTURES / name).read_bytes())


def test_the_new_document_sample_reads_as_its_values():
    edoc = read("edoc_new.edxml")

    assert isinstance(edoc, Edoc)
    assert edoc.document_id == "000.00.11.H53,2020/10/30,2491/STC-BCTC"
    assert edoc.sender == Organ(organ_id="000.00.11.H53", name="Sở Tính",
                                in_charge="Tỉnh Tây Ninh", email="stc@tayninh.gov.vn")
    assert edoc.recipients == [Organ(organ_id="000.00.01.A53", name="Văn phòng tỉnh ủy",
                                     in_charge="Tỉnh Tây Ninh", address="Tỉnh Tây Ninh",
                                     email="vptu@tayninh.gov.vn")]
    assert (edoc.code_number, edoc.code_notation, edoc.code) == \
        ("2491", "STC-BCTC", "2491/STC-BCTC")
    # written 30/10/2020 (dd/MM/yyyy) in this sample
    assert (edoc.place, edoc.promulgation_date) == ("Tây Ninh", date(2020, 10, 30))
    assert (edoc.type_code, edoc.type_detail, edoc.type_name) == (1, 0, "Công văn")
    assert edoc.subject == edoc.content == "Báo cáo tài chính tỉnh"
    assert (edoc.signer_competence, edoc.signer_position, edoc.signer_full_name) == ("", "", "")
    assert edoc.due_date is None
    assert edoc.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    assert (edoc.priority, edoc.sphere, edoc.typer_notation) == (0, "Liên thông văn bản", "")
    assert (edoc.promulgation_amount, edoc.page_amount) == (2, 22)
    assert edoc.appendixes == []            # one empty <Appendix/>: a placeholder
    assert edoc.steering_type == 1
    assert edoc.response_for == []
    assert [(trace.organ_id, trace.timestamp) for trace in edoc.traces] == \
        [("000.00.00.G22", datetime(2018, 9, 28, tzinfo=VN))]
    assert edoc.business.doc_type == NEW
    assert edoc.business.reason == "Văn bản điện tử mới"
    # an impossible date inside: the id is opaque text, kept as sent
    assert edoc.business.document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"
    assert edoc.business.paper is False
    assert edoc.business.staff == SAMPLE_STAFF
    assert (edoc.business.receivers, edoc.business.replacements) == ([], [])
    assert edoc.extras == {"OtherInfo/Direction": "false"}
    (attachment,) = edoc.attachments
    # base64 of a ZIP holding one file: the file is kept, under the ZIP member's name
    assert attachment.content_id == "209"
    assert attachment.name == "32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml"
    assert attachment.content_type == "application/xml"
    assert attachment.description == "1896_QD-TTg_m_294779.doc"
    assert (len(attachment.data), attachment.sha256) == (INNER_SIZE, INNER_SHA256)
    assert attachment.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\r\n<edXML')


def test_the_update_sample_reads_with_its_changed_receivers():
    edoc = read("edoc_update.edxml")

    assert isinstance(edoc, Edoc)
    # its date (2015/09/30) is not the PromulgationDate (2018/09/28): kept as sent
    assert edoc.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert edoc.sender == Organ(
        organ_id="000.00.00.G22", name="Văn phòng Chính phủ", in_charge="Văn phòng Chính phủ",
        address="Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội", email="vpcp@gov.vn",
        telephone="8043100", fax="048989898789", website="vpcp.vn")
    assert [(to.organ_id, to.name) for to in edoc.recipients] == [
        ("000.00.00.H53", "UBND Tỉnh Nghệ An"), ("000.00.12.H53", "UBND Tỉnh Cao Bằng"),
        ("000.00.00.G17", "Sở Thông tin truyền thông Hải Phòng")]
    assert edoc.recipients[2].telephone == "(84-4) 3821 5137"
    assert (edoc.code_number, edoc.code_notation) == ("7816", "VPCP-TTĐT")
    assert (edoc.place, edoc.promulgation_date, edoc.due_date) == \
        ("Hà Nội", date(2018, 9, 28), date(2018, 9, 28))
    assert (edoc.type_code, edoc.type_detail, edoc.type_name) == (1, 0, "Công văn")
    assert edoc.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert (edoc.signer_competence, edoc.signer_position, edoc.signer_full_name) == (
        "TL. BO TRUONG", "Cuc truong cuc ung dung cong nghe thong tin", "Nguyen Thanh Phuc")
    assert edoc.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    assert (edoc.priority, edoc.sphere, edoc.typer_notation) == \
        (0, "Liên thông văn bản quốc gia", "TVC")
    assert (edoc.promulgation_amount, edoc.page_amount, edoc.steering_type) == (2, 22, 1)
    assert edoc.appendixes == ["Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"]
    business = edoc.business
    assert (business.doc_type, business.reason) == (UPDATE, "Cập nhật văn bản điện tử")
    assert (business.document_info_changed, business.receivers_changed) == (True, True)
    assert business.receivers == [(0, "000.00.00.H41"), (1, "000.00.00.H14")]
    assert business.staff == SAMPLE_STAFF
    assert edoc.traces[0].timestamp == datetime(2018, 9, 28, tzinfo=VN)
    (attachment,) = edoc.attachments
    assert (attachment.content_id, attachment.name, attachment.content_type) == \
        ("209", "3ed3cc90-1dcb-4382-9725-1de9cd899790.edxml", "application/xml")
    assert (len(attachment.data), attachment.sha256) == (INNER_SIZE, INNER_SHA256)


# ---------------------------------------------------------------- statuses

NGHE_AN = Organ(organ_id="000.00.00.H41", name="UBND Tỉnh Nghệ An",
                in_charge="UBND Tỉnh Nghệ An",
                address="Số 03, đường Trường Thi, Thành phố Vinh, Tỉnh Nghệ An, Việt Nam",
                email="nghean@gov.vn", telephone="0383 840418", fax="0383 843049",
                website="www.nghean.vn")
ANSWERED = ResponseFor(organ_id="000.00.00.G22", code="7816/VPCP-TTĐT",
                       promulgation_date=date(2015, 9, 30),
                       document_id="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
CLERK = StaffInfo(department="Phong hanh chinh", staff="Nguyen thi ngoc tram",
                  mobile="84912000001", email="ngoctram@nghean.vn")


def read_status(name: str) -> Status:
    status = read(name)
    assert isinstance(status, Status)
    assert status.sender == NGHE_AN
    assert status.response_for == ANSWERED
    assert status.staff == CLERK
    assert status.timestamp == datetime(2015, 9, 20, 11, 8, 36, tzinfo=VN)
    assert status.timestamp.utcoffset() == timedelta(hours=7)
    return status


def test_the_arrived_status_sample_reads_as_code_01():
    status = read_status("status_inbox__01.edxml")
    assert (status.code, status.meaning) == ("01", ("Đã đến", "Arrived"))
    assert status.description == ("Văn thư - Phòng Văn thư - Lưu trữ: Đã đến - Phần mềm QLVB "
                                  "đã nhận nhưng văn thư chưa xử lý")


def test_the_returned_status_sample_reads_as_code_02_with_its_reason():
    status = read_status("status_rejection_02.edxml")
    assert status.code == "02"
    assert status.description == ("Văn thư - Phòng Văn thư - Lưu trữ: Từ chối không tiếp nhận "
                                  "văn bản điện tử")


def test_the_accepted_status_sample_reads_as_code_03():
    status = read_status("status_acceptance_03.edxml")
    assert status.code == "03"
    assert status.description == ("Văn thư cơ - Phòng Văn thư - Lưu trữ: Tiếp nhận văn bản điện "
                                  "tử, vào sổ văn bản đến của đơn vị")


def test_the_assigned_status_sample_reads_as_code_04():
    status = read_status("status_assignment_04.edxml")
    assert (status.code, status.description) == ("04", "Lãnh đạo: Phân công xử lý")


def test_the_in_progress_status_sample_reads_as_code_05():
    status = read_status("status_processing_05.edxml")
    assert (status.code, status.description) == ("05", "Đang xử lý văn bản đến")


def test_the_done_status_sample_reads_as_code_06():
    status = read_status("status_finish_06.edxml")
    assert (status.code, status.description) == \
        ("06", "Văn thư: Ban hành văn bản đến, hoàn thành xử lý")
