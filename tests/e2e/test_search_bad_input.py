"""Issue 5, bad input, through the HTTP gateway: an empty query, a 10 kB query,
unbalanced quotes, a filter on an unknown field, a corrupt PDF, an encrypted PDF and
a zip bomb each get a clear answer (a 400 naming the field in Vietnamese and English,
or a registered document whose file's text is ``failed`` with its reason) and break
nothing: the next good search answers as before, and a normal document registered
after the hostile files is still found by its content."""
import pytest

from tests.e2e.helpers import Api, register, wait_until
from tests.unit.storage import samples

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEN_KB = 10 * 1024
#: Two documents for the quote tests: "quyết" and "định" apart, and side by side.
APART = "Xác định mức quyết toán kinh phí nạo vét kênh Tha La"
ADJACENT = "Quyết định phê duyệt kế hoạch nạo vét kênh Tha La"


@pytest.fixture(scope="module")
def clerk(system):
    return Api(system.base_url, "vanthu.ubnd")


@pytest.fixture(scope="module")
def clerk_en(system):
    return Api(system.base_url, "vanthu.ubnd", language="en")


def search(api, q=None, **params):
    return api.get("/search", params={**({} if q is None else {"q": q}), **params})


def hits(api, q, **params):
    response = search(api, q, page_size=200, **params)
    assert response.status_code == 200, response.text
    return {item["document_id"]: item for item in response.json()["items"]}


@pytest.fixture(scope="module")
def indexed(clerk):
    """Two registered documents the search index holds: {APART: id, ADJACENT: id}."""
    ids = {}
    for number, subject in ((8801, APART), (8802, ADJACENT)):
        response = register(clerk, [], number, subject=subject)
        assert response.status_code == 201, response.text
        ids[subject] = response.json()["id"]
    assert wait_until(lambda: set(ids.values()) <= set(hits(clerk, "nạo vét kênh Tha La")),
                      seconds=10), "the documents never reached the search index"
    return ids


def unchanged(clerk):
    """What a refused search must not change: the clerk's saved searches, the unit's
    documents, and the answer to a good search."""
    good = search(clerk, "nạo vét kênh Tha La", page_size=200).json()
    return (clerk.get("/saved-searches").json()["items"],
            clerk.get("/incoming", params={"unit_id": clerk.unit_id}).json()["total"],
            good["total"], [item["document_id"] for item in good["items"]])


def assert_names_q(vi, en, vi_problem, en_problem):
    """A 400 VALIDATION_ERROR naming ``q`` in its details, with the problem in each
    language; the message names ``q`` or the search text (từ khóa) itself."""
    for response, problem, messages in (
            (vi, vi_problem, ("Dữ liệu không hợp lệ: q.", "Từ khóa tìm kiếm không hợp lệ: ")),
            (en, en_problem, ("Invalid input: q.", "Invalid search text: "))):
        assert response.status_code == 400, (response.status_code, dict(response.headers),
                                             response.text[:300])
        body = response.json()
        assert body["error"] == "VALIDATION_ERROR" and set(body["details"]) == {"q"}
        assert problem in body["details"]["q"]
        assert body["message"] == messages[0] or (
            body["message"].startswith(messages[1]) and problem in body["message"]), body


# ------------------------------------------------------------------ the query text

@pytest.mark.parametrize("q", ["", "   ", None], ids=["empty", "blank", "absent"])
def test_an_empty_blank_or_missing_query_is_a_400_naming_q_and_changes_nothing(
        clerk, clerk_en, indexed, q):
    before = unchanged(clerk)
    assert_names_q(search(clerk, q), search(clerk_en, q), "Bắt buộc phải nhập", "Required")
    assert unchanged(clerk) == before


def test_a_10_kb_query_is_a_400_naming_q_and_changes_nothing(clerk, clerk_en, indexed):
    q = ("quyết định nạo vét kênh " * 500)[:TEN_KB]
    assert len(q) == TEN_KB
    before = unchanged(clerk)
    saved = [api.post("/saved-searches", json={"name": "Quá dài", "params": {"q": q}})
             for api in (clerk, clerk_en)]
    assert_names_q(*saved, "tối đa 1000 ký tự", "At most 1000 characters")
    searched = [search(api, q) for api in (clerk, clerk_en)]
    assert unchanged(clerk) == before
    assert_names_q(*searched, "tối đa 1000 ký tự", "At most 1000 characters")


@pytest.mark.parametrize("q", ['"quyết định', 'quyết định"'])
def test_an_unbalanced_quote_opens_no_phrase_and_its_words_are_searched_as_plain_words(
        clerk, indexed, q):
    """parse_text: an unbalanced quote opens no phrase. The balanced phrase finds only
    the document with the words side by side; the unbalanced one finds both, as the
    plain words do."""
    phrase = hits(clerk, '"quyết định"')
    assert indexed[ADJACENT] in phrase and indexed[APART] not in phrase
    plain = hits(clerk, "quyết định")
    assert {indexed[APART], indexed[ADJACENT]} <= set(plain)
    unbalanced = search(clerk, q, page_size=200)
    assert unbalanced.status_code == 200, unbalanced.text
    assert {i["document_id"] for i in unbalanced.json()["items"]} == set(plain)
    assert unbalanced.json()["total"] == len(plain)


def test_quotes_without_a_letter_or_digit_are_a_400_naming_q(clerk, clerk_en, indexed):
    before = unchanged(clerk)
    assert_names_q(search(clerk, '"""'), search(clerk_en, '"""'),
                   "cần ít nhất một chữ hoặc số", "needs at least one letter or digit")
    assert unchanged(clerk) == before


# ------------------------------------------------------------------ the filters

@pytest.mark.parametrize("path", ["/search", "/search/export"])
@pytest.mark.parametrize("unknown", [{"colour": "red"}, {"confidentiality": "secret"},
                                     {"colour": "red", "confidentiality": "secret"}],
                         ids=["colour", "confidentiality", "both"])
def test_a_filter_on_an_unknown_field_is_a_400_naming_the_field_not_ignored(
        clerk, clerk_en, path, unknown):
    for api, problem, message in ((clerk, "Trường không được hỗ trợ.", "Dữ liệu không hợp lệ"),
                                  (clerk_en, "Unknown field.", "Invalid input")):
        response = api.get(path, params={"q": "quyết định", **unknown})
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["error"] == "VALIDATION_ERROR"
        assert body["details"] == {field: problem for field in unknown}
        assert body["message"].startswith(message)
        assert all(field in body["message"] for field in unknown)


# ------------------------------------------------------------------ hostile files

HOSTILE = {
    # case: (filename, content type, subject, search words, reason check)
    "corrupt-pdf": ("cong-van-hong.pdf", "application/pdf",
                    "Công văn kèm bản PDF bị hỏng về kè sông Vàm Cỏ", "ke song vam co",
                    lambda error: error.startswith("not a readable PDF")),
    "encrypted-pdf": ("to-trinh-mat-khau.pdf", "application/pdf",
                      "Tờ trình kèm bản PDF có mật khẩu về chợ Long Hoa", "chợ Long Hoa",
                      lambda error: error == "encrypted PDF: it cannot be opened without "
                                             "a password"),
    "docx-zip-bomb": ("bao-cao.docx", DOCX,
                      "Báo cáo kèm tệp Word nén bất thường về hồ Dầu Tiếng", "ho dau tieng",
                      lambda error: "zip bomb suspected" in error and "inflates" in error),
}


PROBLEM_WORDS = {"corrupt-pdf": "Tệp bị hỏng", "encrypted-pdf": "Tệp có mật khẩu",
                 "docx-zip-bomb": "bom nén"}


@pytest.fixture(scope="module")
def hostile(clerk, tmp_path_factory):
    """Each hostile file uploaded through the gateway's flow and registered as an
    incoming document's file: {case: (upload response, file_id, registration)}."""
    tmp = tmp_path_factory.mktemp("hostile")
    contents = {
        "corrupt-pdf": b"%PDF-1.7\n" + b"\x13\x37 not really a pdf " * 300,
        "encrypted-pdf": samples.encrypted_pdf(tmp / "mat.pdf").read_bytes(),
        "docx-zip-bomb": samples.zip_bomb(tmp / "bom.docx", "docx").read_bytes(),
    }
    made = {}
    for number, (case, (filename, content_type, subject, _, _)) in enumerate(
            HOSTILE.items(), start=8811):
        put, file_id = clerk.upload(filename, contents[case], content_type)
        made[case] = (put, file_id, register(clerk, [file_id] if file_id else [], number,
                                             subject=subject))
    return made


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_is_registered_found_by_its_subject_and_its_text_fails_with_a_reason(
        clerk, hostile, case):
    _, _, subject, words, reason_is_clear = HOSTILE[case]
    put, file_id, registered = hostile[case]
    assert put.status_code == 201, put.text          # it is what its name says
    assert registered.status_code == 201, registered.text
    doc = registered.json()
    assert doc["file_ids"] == [file_id] and doc["subject"] == subject

    info = wait_until(lambda: (lambda f: f if f["text_status"] != "pending" else None)(
        clerk.get(f"/files/{file_id}").json()), seconds=20, every=0.1)
    assert info and (info["status"], info["text_status"]) == ("stored", "failed"), info
    assert info["text_error"] and reason_is_clear(info["text_error"]), info["text_error"]
    told = PROBLEM_WORDS[case]   # and what that means to people, in both languages
    assert told in info["text_problem"]["vi"] and info["text_problem"]["en"], info

    hit = wait_until(lambda: hits(clerk, words).get(doc["id"]), seconds=10)
    assert hit, f"{subject!r} is not found by {words!r}"
    assert (hit["subject"], hit["direction"], hit["state"]) == (
        subject, "incoming", "registered")
    assert clerk.get(f"/incoming/{doc['id']}").json()["file_ids"] == [file_id]


def test_after_the_hostile_files_every_service_is_up_and_a_normal_pdf_is_found_by_content(
        system, clerk, hostile, pdf_bytes):
    assert all(put.status_code == 201 and registered.status_code == 201
               for put, _, registered in hostile.values())
    health = Api(system.base_url).get("/health").json()
    assert health["status"] == "ok"
    assert {s["status"] for s in health["services"].values()} == {"up"}

    put, file_id = clerk.upload("an-le-57-sau-tep-hong.pdf", pdf_bytes)
    assert put.status_code == 201, put.text
    registered = register(clerk, [file_id], 8819,
                          subject="Thông báo án lệ gửi sau các tệp không đọc được")
    assert registered.status_code == 201, registered.text
    doc_id = registered.json()["id"]
    # samples.PDF_WORD is in the PDF's text layer, not in any metadata we send
    hit = wait_until(lambda: hits(clerk, samples.PDF_WORD).get(doc_id), seconds=30)
    assert hit, "the PDF registered after the hostile files never became searchable"
    assert "<mark>" in hit["snippet"]
    assert clerk.get(f"/files/{file_id}").json()["text_status"] == "ok"
