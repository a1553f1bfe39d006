"""Browser scenario of liên thông (issue 14), run by tests/browser/runner.py like those of
scenarios.py, in the one started demo system: its own reference axis serves every unit of
the demo province, so a document Sở Tài chính issues to Sở Nội vụ named as an external
body (its mã định danh, no unit_id) goes out through the axis and comes back as a
received electronic document.

Sở Tài chính's staff prepare two such documents through the API (a Quyết định signed
digitally by its director and sealed, and a Thông báo signed on paper); in the browser,
Sở Nội vụ's văn thư (vanthu.snv) finds both waiting under "Liên thông" (with the count),
opens the first, sees the check of the package's signature and of the PDF's, accepts it
through the registration form filled from the package (a field emptied is refused next to
it, in Vietnamese), sees its số đến, opens its PDF and the incoming document it became;
she returns the second with a reason (required). A third, another Thông báo, is recalled by
Sở Tài chính's văn thư through the API once it has arrived: vanthu.snv sees the request
with its reason and agrees in the browser; the document shows "Đã thu hồi" and only its
recall log. Sở Tài chính's văn thư (vanthu.stc) then sees on each outgoing document what
Sở Nội vụ answered: 01 and 03; 01 and 02 with the reason; 01 and 15, "Đồng ý thu hồi —
đã khóa". The signed PDF opens before it is accepted (the exchange's 5-minute link
answers with the PDF). Screenshots: /tmp/ui-exchange-*.png."""
from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.browser.scenarios import fixture_pdf, login, logout, screenshot
from tests.e2e.helpers import Api, draft, step, wait_until
from tests.fixtures.signing.make_fixtures import make_document

DIRECTOR = "Võ Văn Hùng"                   # lanhdao.stc's demo certificate
RETURN_REASON = "Văn bản không thuộc thẩm quyền giải quyết của Sở Nội vụ."
RECALL_REASON = "Sai số liệu tại phụ lục kèm theo, sẽ ban hành văn bản thay thế."
ARRIVED_WITHIN_S = 30
FILE_LINK = re.compile(r"/exchange/received/[^/]+/files/[^/]+/link\?view=true$")


def shot(page, name: str) -> str:
    return screenshot(page, f"exchange-{name}")


def organ_of(member: Api) -> dict:
    """The unit of ``member`` as another body names it: {organ_id (its mã định danh,
    which the demo province's reference axis serves), name} — and no unit_id (the
    directory import's units; e.g. VN.80.S02 for Sở Nội vụ of Tây Ninh). Read through
    the API: this process does not import the services (runner.py says why)."""
    unit = member.get(f"/units/{member.unit_id}").json()
    return {"organ_id": unit["organ_id"], "name": unit["name"]}


def issue_through_axis(people: dict, subject: str, *, digitally: bool) -> dict:
    """Sở Tài chính's document to Sở Nội vụ named by its mã định danh (an external
    recipient: it goes through the axis), drafted, approved, signed (digitally by the
    director and sealed by the văn thư, or on paper), numbered and issued."""
    author = people["chuyenvien.stc"]
    data = make_document(signer_name=DIRECTOR) if digitally else open(fixture_pdf(), "rb").read()
    response, file_id = author.upload("quyet-dinh.pdf" if digitally else "thong-bao.pdf", data)
    assert response.status_code == 201, response.text
    created = draft(author, [organ_of(people["vanthu.snv"])],
                    document_type="QD" if digitally else "TB", subject=subject,
                    file_ids=[file_id])
    assert created.status_code == 201, created.text
    document_id = created.json()["id"]
    for username, action in (("chuyenvien.stc", "submit"), ("lanhdao.stc", "approve"),
                             ("vanthu.stc", "check_form")):
        assert step(people[username], document_id, action).status_code == 200, action
    sign = {}
    if digitally:
        sign = {"certificate_id": next(
            c["id"] for c in people["lanhdao.stc"].get("/signing/certificates").json()["items"]
            if c["holder_kind"] == "person" and c["valid_now"])}
    steps = [("lanhdao.stc", "sign", sign), ("vanthu.stc", "number", {})]
    steps += [("vanthu.stc", "seal", {})] if digitally else []
    for username, action, body in [*steps, ("vanthu.stc", "issue", {})]:
        response = step(people[username], document_id, action, **body)
        assert response.status_code == 200, (action, response.text)
    issued = response.json()
    assert [r["delivery"] for r in issued["recipients"]] == ["exchange"]
    return issued


def waiting_for(clerk: Api, subject: str) -> dict:
    found = wait_until(lambda: next((r for r in clerk.get("/exchange/received").json()["items"]
                                     if r["fields"]["subject"] == subject), None),
                       seconds=ARRIVED_WITHIN_S)
    assert found, f"{subject!r} did not arrive through the axis"
    return found


def open_received(page, subject: str) -> None:
    page.locator(".received-table tbody tr").filter(has_text=subject).get_by_role(
        "link", name=subject).click()
    expect(page.locator("h1")).to_have_text(subject)


def statuses_shown(page, expected: list[str]) -> None:
    """The sender's panel shows these codes in order (it is read again on "Làm mới"
    until the answers come back through the axis)."""
    codes = page.locator("#doc-exchange .exchange-status")
    deadline = time.monotonic() + ARRIVED_WITHIN_S
    while codes.evaluate_all("els => els.map(e => e.dataset.code)") != expected:
        assert time.monotonic() < deadline, codes.evaluate_all(
            "els => els.map(e => e.dataset.code)")
        time.sleep(0.5)
        page.locator("#exchange-refresh").click()


def accept_it(page, subject: str, code_number: str) -> str:
    """vanthu.snv accepts the signed document: the checks, the filled form, a field
    emptied refused next to it, then the số đến. Returns it."""
    open_received(page, subject)
    expect(page.locator("#received-state")).to_have_text("Chờ tiếp nhận")
    expect(page.locator("#received-from")).to_contain_text("Sở Tài chính tỉnh Tây Ninh")
    expect(page.locator("#received-code")).to_have_text(re.compile(rf"^{code_number}/QĐ-STC$"))
    expect(page.locator("#received-package-badge")).to_have_text("Gói tin hợp lệ")
    expect(page.locator("#received-package-signature")).to_contain_text(
        "Sở Tài chính tỉnh Tây Ninh")
    pdf_check = page.locator(".received-file-signature").first
    expect(pdf_check).to_have_attribute("data-status", "valid", timeout=30_000)
    expect(pdf_check.locator(".sig-overall")).to_have_text("Hợp lệ")
    expect(page.locator("#received-files .file-name")).to_have_count(1)
    shot(page, "received")
    # its PDF opens in a tab before it is accepted: the exchange's 5-minute link, which
    # answers with the PDF
    with page.expect_response(FILE_LINK) as answer, page.expect_popup() as popup:
        page.locator("#received-files .received-view").click()
    assert answer.value.ok, answer.value.status
    pdf = page.request.get(answer.value.json()["url"])
    assert pdf.ok and pdf.body().startswith(b"%PDF"), (pdf.status, pdf.headers)
    popup.value.close()

    page.locator("#received-accept").click()
    form = page.locator("#accept-form")
    expect(form.locator("#f-code_number")).to_have_value(code_number)
    expect(form.locator("#f-code_notation")).to_have_value("QĐ-STC")
    expect(form.locator("#f-subject")).to_have_value(subject)
    expect(form.locator("#f-issuer-name")).to_have_value("Sở Tài chính tỉnh Tây Ninh")
    expect(form.locator("#f-document_type")).to_have_value("QĐ")
    expect(form.locator("#f-signer-full_name")).to_have_value(DIRECTOR)
    expect(form.locator("#f-files")).to_have_count(0)           # the package's files go with it
    # the server names what is missing, next to its field, in the caller's language
    form.locator("#f-code_number").fill("")
    page.locator("#accept-confirm").click()
    expect(page.locator("#f-code_number-error")).to_have_text("Bắt buộc phải nhập.")
    expect(form.locator(".error-summary")).to_be_visible()
    form.locator("#f-code_number").fill(code_number)
    shot(page, "accept-form")
    page.locator("#accept-confirm").click()
    expect(page.locator("#step-done")).to_contain_text("số đến")
    expect(page.locator("#received-state")).to_have_text("Đã tiếp nhận")
    arrival = page.locator("#received-arrival-number").inner_text()
    assert re.fullmatch(r"\d+", arrival), arrival
    expect(page.locator("#received-actions")).to_have_count(0)
    expect(pdf_check).to_have_attribute("data-status", "valid")     # still shown
    shot(page, "accepted")
    # the incoming document it became, with its file
    page.locator("#received-incoming-link").click()
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("#doc-arrival-number")).to_have_text(arrival)
    expect(page.locator(".attachment .file-name")).to_have_count(1)
    return arrival


def return_it(page, subject: str) -> None:
    """vanthu.snv returns the paper-signed one: a reason is required."""
    page.locator('.nav-link[data-nav="exchange"]').click()
    expect(page.locator("h1")).to_have_text("Văn bản điện tử chờ tiếp nhận")
    open_received(page, subject)
    expect(page.locator("#received-package-badge")).to_have_text("Gói tin hợp lệ")
    page.locator("#received-return").click()
    page.locator("#return-confirm").click()
    expect(page.locator("#f-return-reason-error")).to_have_text("Bắt buộc ghi lý do trả lại.")
    page.locator("#f-return-reason").fill(RETURN_REASON)
    page.locator("#return-confirm").click()
    expect(page.locator("#step-done")).to_have_text("Đã trả lại văn bản cho cơ quan gửi.")
    expect(page.locator("#received-state")).to_have_text("Đã trả lại")
    expect(page.locator("#received-returned")).to_contain_text(RETURN_REASON)


def recalled_by_sender(people: dict, issued: dict, received: dict) -> None:
    """Sở Tài chính's văn thư recalls the issued document (ND30 Điều 18.4) once it has
    arrived; the request (13) reaches Sở Nội vụ through the axis."""
    response = step(people["vanthu.stc"], issued["id"], "recall", reason=RECALL_REASON)
    assert response.status_code == 200, response.text
    asked = wait_until(lambda: people["vanthu.snv"].get(
        f"/exchange/received/{received['id']}").json()["recall_request"],
        seconds=ARRIVED_WITHIN_S)
    assert asked and asked["reason"] == RECALL_REASON, asked


def agree_to_recall(page, subject: str, code: str) -> None:
    """vanthu.snv sees the request with its reason and agrees (confirmed); what stays is
    the recall log, under "Đã thu hồi"."""
    page.locator('.nav-link[data-nav="exchange"]').click()
    row = page.locator(".received-table tbody tr").filter(has_text=subject)
    expect(row).to_have_class(re.compile(r"\brow-recall\b"))
    open_received(page, subject)
    expect(page.locator("#received-recall")).to_contain_text(RECALL_REASON)
    expect(page.locator("#recall-actions")).to_be_visible()
    shot(page, "recall-asked")
    page.locator("#recall-agree").click()
    dialog = page.locator("dialog")
    expect(dialog).to_contain_text("chỉ còn nhật ký thu hồi")
    page.locator("#recall-agree-dialog-confirm").click()
    expect(page.locator("#step-done")).to_contain_text("Đã đồng ý thu hồi")
    expect(page.locator("#received-state")).to_have_text("Đã thu hồi")
    expect(page.locator("h1")).to_have_text(f"Văn bản đã thu hồi {code}")
    expect(page.locator("#received-recall-answer")).to_have_attribute("data-code", "15")
    log = page.locator("#received-recall-log")
    expect(log.locator("#received-code")).to_have_text(code)
    expect(log.locator("#received-issuer")).to_have_text("Sở Tài chính tỉnh Tây Ninh")
    expect(page.locator("#received-files")).to_have_count(0)          # its files are gone
    expect(page.locator("#recall-actions, #received-actions")).to_have_count(0)
    shot(page, "recalled")
    page.locator(".back a").click()
    page.locator("#tab-recalled").click()
    expect(page.locator(".received-table tbody tr").filter(has_text=code)).to_contain_text(
        "Đã thu hồi")


def scenario_exchange_received_accepted_returned_and_recalled(make_page, pdf_path=None):
    started = time.monotonic()
    stamp = time.strftime("%H%M%S")
    page = make_page()
    base = page.url.split("#")[0].rstrip("/")
    people = {name: Api(base, name) for name in (
        "chuyenvien.stc", "lanhdao.stc", "vanthu.stc", "vanthu.snv")}
    signed_subject = f"Quyết định giao chỉ tiêu biên chế năm 2026 (liên thông {stamp})"
    paper_subject = f"Thông báo kết luận cuộc họp giao ban (liên thông {stamp})"
    recall_subject = f"Thông báo bổ sung số liệu dự toán năm 2026 (liên thông {stamp})"
    signed = issue_through_axis(people, signed_subject, digitally=True)
    paper = issue_through_axis(people, paper_subject, digitally=False)
    recalled = issue_through_axis(people, recall_subject, digitally=False)
    for subject in (signed_subject, paper_subject):
        waiting_for(people["vanthu.snv"], subject)
    recalled_by_sender(people, recalled, waiting_for(people["vanthu.snv"], recall_subject))
    recall_code = f"{recalled['code_number']}/{recalled['code_notation']}"
    prepared = time.monotonic() - started

    # --- Sở Nội vụ's văn thư: both waiting, counted in the navigation
    login(page, "vanthu.snv")
    nav = page.locator('.nav-link[data-nav="exchange"]')
    expect(nav).to_contain_text("Liên thông")
    expect(nav.locator(".nav-count")).to_have_text(re.compile(r"^\d+$"))
    assert int(nav.locator(".nav-count").inner_text()) >= 2
    nav.click()
    expect(page.locator("h1")).to_have_text("Văn bản điện tử chờ tiếp nhận")
    expect(page.locator("#tab-waiting")).to_have_attribute("aria-current", "page")
    expect(page.locator("#axis-status")).to_contain_text("Đã kết nối trục liên thông")
    for subject in (signed_subject, paper_subject):
        row = page.locator(".received-table tbody tr").filter(has_text=subject)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Sở Tài chính tỉnh Tây Ninh")
        expect(row.locator(".sig-badge")).to_have_text("Gói tin hợp lệ")
    rows = page.locator(".received-table tbody tr")
    expect(rows.filter(has_text=signed_subject)).to_contain_text(
        f"{signed['code_number']}/QĐ-STC")
    shot(page, "waiting")

    accept_it(page, signed_subject, signed["code_number"])
    return_it(page, paper_subject)
    agree_to_recall(page, recall_subject, recall_code)

    # --- the tabs: accepted and returned each where they belong (the list is shown)
    page.locator("#tab-accepted").click()
    expect(rows.filter(has_text=signed_subject)).to_have_count(1)
    expect(rows.filter(has_text=paper_subject)).to_have_count(0)
    page.locator("#tab-returned").click()
    expect(rows.filter(has_text=paper_subject)).to_contain_text("Đã trả lại")
    logout(page)

    # --- Sở Tài chính's văn thư: what Sở Nội vụ answered on each outgoing document
    login(page, "vanthu.stc")
    page.goto(f"{base}/#/outgoing/{signed['id']}")
    panel = page.locator("#doc-exchange")
    expect(panel.locator("h2")).to_have_text("Gửi liên thông")
    delivery = panel.locator(".exchange-delivery")
    expect(delivery).to_have_count(1)
    expect(delivery).to_contain_text("Sở Nội vụ tỉnh Tây Ninh")
    expect(delivery.locator(".exchange-state")).to_have_text("Đã gửi lên trục")
    statuses_shown(page, ["01", "03"])
    expect(delivery.locator('.exchange-status[data-code="01"]')).to_contain_text("Đã đến")
    expect(delivery.locator('.exchange-status[data-code="03"]')).to_contain_text("Đã tiếp nhận")
    shot(page, "sender-accepted")
    page.goto(f"{base}/#/outgoing/{paper['id']}")
    expect(page.locator("h1")).to_have_text(paper_subject)
    statuses_shown(page, ["01", "02"])
    returned = page.locator('#doc-exchange .exchange-status[data-code="02"]')
    expect(returned).to_contain_text("Từ chối")
    expect(returned).to_contain_text(RETURN_REASON)
    shot(page, "sender-returned")
    page.goto(f"{base}/#/outgoing/{recalled['id']}")
    expect(page.locator("h1")).to_have_text(recall_subject)
    statuses_shown(page, ["01", "15"])
    recall = page.locator("#doc-exchange .exchange-recall")
    expect(recall).to_have_attribute("data-answer", "15")
    expect(recall).to_contain_text("Đã yêu cầu thu hồi")
    expect(recall).to_contain_text(RECALL_REASON)
    expect(recall).to_contain_text("Đồng ý thu hồi — đã khóa")
    shot(page, "sender-recalled")
    print(f"liên thông journey took {time.monotonic() - started:.1f} s "
          f"(documents prepared through the API in {prepared:.1f} s)")
