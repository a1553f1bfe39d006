"""What notify says of liên thông and of a sender's requests (services/notify/messages.py):
a document from another agency waiting, a return or refusal to the sender, a recall or an
update asked of a unit and its answer — and nothing of a secret document's particulars."""
from services.notify import messages

PUBLIC_URL = "https://eoffice.ninhbinh.gov.vn/"


def test_a_waiting_document_names_its_sender_number_and_subject():
    title, body = messages.received_waiting({
        "id": "r1", "business_type": 0, "from_name": "UBND tỉnh Nghệ An",
        "code": "12/UBND-KT", "subject": "Về việc\nphòng chống bão"})
    assert title == "Văn bản điện tử từ UBND tỉnh Nghệ An chờ tiếp nhận"
    assert body == "12/UBND-KT – Về việc phòng chống bão"


def test_a_waiting_replacement_or_update_says_what_it_is():
    assert messages.received_waiting({"business_type": 3, "from_name": "Sở Tài chính"})[
        0].startswith("Văn bản thay thế từ Sở Tài chính")
    assert messages.received_waiting({"business_type": 2, "from_name": "Sở Tài chính"})[
        0].startswith("Văn bản cập nhật từ Sở Tài chính")


def test_a_return_tells_the_sender_who_returned_which_document_and_why():
    title, body = messages.delivery_status_alert({
        "code": "02", "organ_name": "Sở Nội vụ tỉnh Nghệ An", "document_code": "7/STC-VP",
        "subject": "Báo cáo quý", "description": "Thiếu phụ lục"})
    assert title == "Sở Nội vụ tỉnh Nghệ An từ chối nhận văn bản 7/STC-VP"
    assert body.splitlines() == ["Báo cáo quý", "Lý do: Thiếu phụ lục"]


def test_a_refused_recall_tells_the_sender_the_reason():
    title, body = messages.delivery_status_alert({
        "code": "16", "organ_name": "Sở Nội vụ", "document_code": "7/STC-VP",
        "description": "Đã triển khai thực hiện"})
    assert "không đồng ý thu hồi" in title and "7/STC-VP" in title
    assert body == "Lý do: Đã triển khai thực hiện"


def test_a_request_from_another_agency_names_the_kind_and_reason():
    title, body = messages.received_change_requested({
        "kind": "recall", "from_name": "UBND tỉnh Nghệ An", "code": "12/UBND-KT",
        "subject": "Về việc A", "reason": "Sai số liệu"})
    assert title == "UBND tỉnh Nghệ An đề nghị thu hồi văn bản 12/UBND-KT"
    assert body.splitlines() == ["Về việc A", "Lý do: Sai số liệu"]


def test_an_internal_request_about_a_secret_copy_names_only_its_level():
    title, body = messages.incoming_change_requested({
        "kind": "recall", "confidentiality": "secret", "arrival_number": 9,
        "code_number": "3", "code_notation": "QĐ-UBND", "subject": "Kế hoạch tác chiến",
        "reason": "Sai đối tượng"})
    assert "3/QĐ-UBND" not in title + body
    assert "Kế hoạch" not in body and "Sai đối tượng" not in body
    assert body.startswith("Văn bản tối mật số đến 9.")


def test_an_internal_request_names_the_document_and_reason():
    title, body = messages.incoming_change_requested({
        "kind": "update", "confidentiality": "none", "code_number": "3",
        "code_notation": "QĐ-UBND", "subject": "Về việc B", "reason": "Đổi hạn"})
    assert title == "Đề nghị cập nhật văn bản đến 3/QĐ-UBND"
    assert body.splitlines() == ["Về việc B", "Lý do: Đổi hạn"]


def test_an_answer_says_agreed_or_refused_with_the_refusals_reason():
    agreed = messages.incoming_change_answered({
        "kind": "recall", "agreed": True, "unit_name": "Sở Nội vụ", "code_number": "3",
        "code_notation": "QĐ-UBND", "subject": "Về việc B", "confidentiality": "none",
        "reason": None})
    assert agreed[0] == "Sở Nội vụ đồng ý thu hồi văn bản 3/QĐ-UBND"
    refused = messages.incoming_change_answered({
        "kind": "update", "agreed": False, "unit_name": "Sở Nội vụ", "code_number": "3",
        "code_notation": "QĐ-UBND", "subject": "Về việc B", "confidentiality": "none",
        "reason": "Đã xử lý xong"})
    assert refused[0] == "Sở Nội vụ không đồng ý cập nhật văn bản 3/QĐ-UBND"
    assert "Lý do: Đã xử lý xong" in refused[1]


def test_an_answer_about_a_secret_document_carries_no_particulars():
    title, body = messages.incoming_change_answered({
        "kind": "recall", "agreed": False, "unit_name": "Sở Nội vụ", "code_number": "3",
        "code_notation": "QĐ-UBND", "subject": "Kế hoạch tác chiến",
        "confidentiality": "top_secret", "reason": "Lý do mật"})
    assert "3/QĐ-UBND" not in title and "Kế hoạch" not in body and "Lý do mật" not in body


def test_the_email_of_a_received_document_links_to_the_exchange_page():
    subject, text = messages.about_email("Văn bản điện tử từ A chờ tiếp nhận", "12/A – B",
                                         messages.received_link(PUBLIC_URL, "r 1"))
    assert subject == "[e-Office] Văn bản điện tử từ A chờ tiếp nhận"
    assert "https://eoffice.ninhbinh.gov.vn/#/exchange/received/r%201" in text
