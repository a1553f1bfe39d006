"""What notify's e-mails say (services/notify/messages.py) and how they travel
(services/notify/mailer.py, services/notify/email_outbox.py)."""
import email
from datetime import timedelta
from email import policy

import pytest

from services.notify import email_outbox, mailer, messages

PUBLIC_URL = "https://eoffice.nghean.gov.vn/"


def registered(**changes):
    data = {"id": "3f1c0a52-7d1e-4c8f-9b0e-2a6d5c4b3a21", "direction": "incoming",
            "unit_name": "Sở Tài chính", "arrival_number": 4, "arrival_date": "2025-11-03",
            "code_number": "12", "code_notation": "UBND-KT", "issued_date": "2025-10-30",
            "issuer": {"organ_id": "000.00.00.H41", "name": "UBND tỉnh Nghệ An"},
            "document_type_name": "Công văn", "subject": "Về việc thử\nnghiệm hệ thống",
            "urgency": "normal", "confidentiality": "none", "due_date": "2025-11-10",
            "leader_user_ids": ["u-leader"]}
    data.update(changes)
    return data


def test_the_subject_names_the_document_in_vietnamese_on_one_line():
    subject, _ = messages.document_registered_email(registered(), PUBLIC_URL)
    assert subject == ("[e-Office] Văn bản đến mới: 12/UBND-KT – Về việc thử nghiệm hệ thống")


@pytest.mark.parametrize("urgency, label", [("urgent", "KHẨN"), ("very_urgent", "THƯỢNG KHẨN"),
                                            ("flash", "HỎA TỐC")])
def test_an_urgent_document_says_so_first(urgency, label):
    subject, body = messages.document_registered_email(registered(urgency=urgency), PUBLIC_URL)
    assert subject.startswith(f"[e-Office] [{label}] Văn bản đến mới: ")
    assert f"Độ khẩn: {messages.URGENCY_NAME[urgency]}" in body


def test_the_body_gives_the_particulars_and_the_link():
    _, body = messages.document_registered_email(registered(), PUBLIC_URL)
    for line in ("Số đến: 4 (ngày đến 03/11/2025)", "Số, ký hiệu: 12/UBND-KT",
                 "Loại văn bản: Công văn", "Cơ quan ban hành: UBND tỉnh Nghệ An",
                 "Ngày ban hành: 30/10/2025", "Trích yếu: Về việc thử nghiệm hệ thống",
                 "Độ khẩn: Thường", "Hạn xử lý: 10/11/2025", "Đơn vị nhận: Sở Tài chính",
                 "Xem văn bản: https://eoffice.nghean.gov.vn/#/documents/"
                 "3f1c0a52-7d1e-4c8f-9b0e-2a6d5c4b3a21"):
        assert line in body.splitlines()


def test_particulars_that_are_missing_are_left_out():
    _, body = messages.document_registered_email(
        registered(due_date=None, document_type_name=None, unit_name=None, arrival_date=None),
        PUBLIC_URL)
    assert "Hạn xử lý" not in body and "Loại văn bản" not in body
    assert "Đơn vị nhận" not in body and "Số đến: 4\n" in body


@pytest.mark.parametrize("level, name", [("confidential", "mật"), ("secret", "tối mật"),
                                         ("top_secret", "tuyệt mật")])
def test_a_confidential_document_leaves_its_particulars_in_the_system(level, name):
    subject, body = messages.document_registered_email(registered(confidentiality=level),
                                                       PUBLIC_URL)
    assert subject == f"[e-Office] Văn bản đến mới: số đến 4 (văn bản {name})"
    for secret in ("Về việc", "UBND-KT", "UBND tỉnh Nghệ An"):
        assert secret not in subject and secret not in body
    assert "/#/documents/3f1c0a52-7d1e-4c8f-9b0e-2a6d5c4b3a21" in body


def test_a_long_summary_is_cut_in_the_subject_but_whole_in_the_body():
    subject, body = messages.document_registered_email(registered(subject="Về việc " * 100),
                                                       PUBLIC_URL)
    assert len(subject) == messages.SUBJECT_MAX and subject.endswith("…")
    assert "Về việc " * 99 in body


def test_the_link_quotes_the_document_id():
    assert messages.document_link("http://x/", "a b/c") == "http://x/#/documents/a%20b%2Fc"


def test_the_message_is_utf8_plain_text_that_7bit_servers_take():
    subject, body = messages.document_registered_email(registered(urgency="flash"), PUBLIC_URL)
    message = mailer.build_message("Văn thư <no-reply@gov.vn>", "e-1", "ld@gov.vn",
                                   subject, body)
    raw = message.as_bytes()
    assert max(raw) < 128     # headers encoded, body quoted-printable
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == subject and parsed["To"] == "ld@gov.vn"
    assert parsed["Message-ID"] == "<e-1@eoffice>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_charset() == "utf-8"
    assert parsed.get_content() == body


def test_retries_wait_longer_after_each_failure_up_to_a_limit():
    delays = [email_outbox.retry_delay(n) for n in range(1, email_outbox.MAX_ATTEMPTS + 1)]
    assert delays[0] == timedelta(seconds=5) and delays[1] == timedelta(seconds=10)
    assert delays == sorted(delays) and max(delays) == email_outbox.RETRY_MAX
    assert email_outbox.LEASE > timedelta(seconds=4 * mailer.TIMEOUT_SECONDS)


def test_urgent_documents_are_sent_first():
    order = sorted(["normal", "urgent", "flash", "very_urgent"],
                   key=email_outbox.PRIORITY.__getitem__)
    assert order == ["flash", "very_urgent", "urgent", "normal"]


def test_a_server_that_cannot_be_reached_is_a_failure_not_an_exception():
    message = mailer.build_message("a@gov.vn", "e-2", "b@gov.vn", "s", "b")
    failure = mailer.send(mailer.SmtpConfig(host="127.0.0.1", port=1), message)
    assert failure is not None and failure.server_down and not failure.permanent


SECRETS = ("12/UBND-KT", "Về việc", "UBND tỉnh Nghệ An", "Khẩn trương xác minh",
           "Thiếu hồ sơ gốc", "Đã làm việc với")


def workflow_data(level, **changes):
    return {"document_id": "d-1", "code": "12/UBND-KT", "subject": "Về việc thử nghiệm",
            "urgency": "urgent", "confidentiality": level, "arrival_number": 4,
            "reason": "Thiếu hồ sơ gốc", "note": "Đã làm việc với Công an tỉnh",
            "item": {"kind": "lead", "due_date": "2025-11-20",
                     "instruction": "Khẩn trương xác minh"}} | changes


@pytest.mark.parametrize("level, name", [("confidential", "mật"), ("secret", "tối mật"),
                                         ("top_secret", "tuyệt mật")])
@pytest.mark.parametrize("event_type", ["document_submitted", "task_assigned", "task_returned",
                                        "task_completed", "document_completed",
                                        "deadline_approaching", "deadline_missed"])
def test_a_notification_about_a_secret_document_carries_none_of_its_particulars(
        event_type, level, name):
    title, body = messages.workflow_event(event_type, workflow_data(level))
    subject, text = messages.workflow_event_email(event_type, workflow_data(level),
                                                  PUBLIC_URL)
    for secret in SECRETS:
        assert secret not in title + body + subject + text, (event_type, secret)
    assert body == f"Văn bản {name} số đến 4. {messages.SECRET_NOTE}"
    assert title.startswith("[KHẨN] ")
    assert "/#/documents/d-1" in text


@pytest.mark.parametrize("level", ["confidential", "secret", "top_secret"])
def test_the_in_app_notice_of_a_new_secret_document_names_its_arrival_number_only(level):
    title, body = messages.document_registered(registered(confidentiality=level))
    assert title == "Văn bản đến số 4 chờ phân công"
    for secret in ("Về việc", "UBND-KT", "UBND tỉnh Nghệ An"):
        assert secret not in title + body


def test_a_notification_about_an_ordinary_document_names_it_and_gives_the_comments():
    title, body = messages.workflow_event("task_assigned", workflow_data("none"))
    assert title == "[KHẨN] Đồng chí được giao chủ trì, hạn 20/11/2025"
    assert body.splitlines() == ["12/UBND-KT – Về việc thử nghiệm",
                                 "Ý kiến chỉ đạo: Khẩn trương xác minh",
                                 "Lý do: Thiếu hồ sơ gốc", "Đã làm việc với Công an tỉnh"]
    _, body = messages.document_registered(registered())
    assert body == "12/UBND-KT của UBND tỉnh Nghệ An: Về việc thử\nnghiệm hệ thống"
def test_a_rights_alert_names_the_person_the_change_and_who_made_it():
    title, body = messages.rights_changed({
        "user_name": "Trần Thị Mới", "change": "change_roles",
        "change_name": {"vi": "Thay đổi vai trò", "en": "Roles changed"},
        "changed_by_name": "Lâm Văn Phúc", "unit_names": ["UBND phường Tân Ninh"],
        "details": {"before": [{"unit_id": "u", "role": "clerk"}],
                    "after": [{"unit_id": "u", "role": "admin"}]}})
    assert title == "Cần xác nhận: thay đổi vai trò của Trần Thị Mới"
    assert "Người thực hiện: Lâm Văn Phúc" in body
    assert "Trước: văn thư" in body and "Sau: quản trị" in body
    assert "UBND phường Tân Ninh" in body


def test_a_rights_alert_of_a_new_account_gives_its_roles_and_clearance():
    _, body = messages.rights_changed({
        "user_name": "X", "change": "created", "changed_by": "u-1",
        "details": {"after": {"clearance": "secret", "system_admin": False,
                              "memberships": [{"unit_id": "u", "role": "head"}]}}})
    assert "Sau: lãnh đạo" in body and "Độ mật: Tối mật" in body
