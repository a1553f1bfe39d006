"""The system's one vocabulary: every enumeration that crosses a service or reaches a user
(urgency, confidentiality, roles, document types, states, kinds of work), with its
Vietnamese and English names. Services import these; the web UI reads them from
GET /api/v1/vocabulary (``as_api``), so no list is written twice.

Each table maps a code to ``(vi, en)``; tables are ordered (lowest or first first)."""
from __future__ import annotations

# Độ khẩn (ND30 Phụ lục I §I.8), lowest first.
URGENCY_NAMES = {
    "normal": ("Thường", "Normal"),
    "urgent": ("Khẩn", "Urgent"),
    "very_urgent": ("Thượng khẩn", "Very urgent"),
    "flash": ("Hỏa tốc", "Flash"),
}
URGENCIES = tuple(URGENCY_NAMES)
URGENCY_RANK = {code: rank for rank, code in enumerate(URGENCIES)}
DEFAULT_URGENCY = "normal"
URGENT = URGENCIES[1:]                       # urgencies above normal
#: the mark stamped on an urgent document (notifications, e-mail subjects)
URGENCY_MARKS = {"urgent": "KHẨN", "very_urgent": "THƯỢNG KHẨN", "flash": "HỎA TỐC"}

# Độ mật (DOMAIN.md §1.9), lowest first; a clearance is one of these too.
CONFIDENTIALITY_NAMES = {
    "none": ("Thường (không mật)", "Not classified"),
    "confidential": ("Mật", "Confidential"),
    "secret": ("Tối mật", "Secret"),
    "top_secret": ("Tuyệt mật", "Top secret"),
}
CONFIDENTIALITIES = tuple(CONFIDENTIALITY_NAMES)

# Roles a person holds in a unit (API.md, "Enumerations").
ROLE_NAMES = {
    "clerk": ("Văn thư", "Clerk"),
    "head": ("Lãnh đạo cơ quan", "Head of body"),
    "unit_head": ("Lãnh đạo đơn vị", "Head of unit"),
    "specialist": ("Chuyên viên", "Specialist"),
    "admin": ("Quản trị", "Administrator"),
}
ROLES = tuple(ROLE_NAMES)

# Loại văn bản (ND30 Phụ lục III): code → (vi, en, abbreviation in a ký hiệu; "" when the
# type's ký hiệu carries none, as for a công văn).
DOCUMENT_TYPES = {
    "NQ": ("Nghị quyết", "Resolution", "NQ"), "QĐ": ("Quyết định", "Decision", "QĐ"),
    "CT": ("Chỉ thị", "Directive", "CT"), "QC": ("Quy chế", "Regulation", "QC"),
    "QyĐ": ("Quy định", "Rules", "QyĐ"), "TC": ("Thông cáo", "Communiqué", "TC"),
    "TB": ("Thông báo", "Notice", "TB"), "HD": ("Hướng dẫn", "Guidance", "HD"),
    "CTr": ("Chương trình", "Programme", "CTr"), "KH": ("Kế hoạch", "Plan", "KH"),
    "PA": ("Phương án", "Scheme", "PA"), "ĐA": ("Đề án", "Project proposal", "ĐA"),
    "DA": ("Dự án", "Project", "DA"), "BC": ("Báo cáo", "Report", "BC"),
    "BB": ("Biên bản", "Minutes", "BB"), "TTr": ("Tờ trình", "Submission", "TTr"),
    "HĐ": ("Hợp đồng", "Contract", "HĐ"), "CĐ": ("Công điện", "Official telegram", "CĐ"),
    "BGN": ("Bản ghi nhớ", "Memorandum", "BGN"),
    "BTT": ("Bản thỏa thuận", "Agreement", "BTT"),
    "GUQ": ("Giấy ủy quyền", "Power of attorney", "GUQ"),
    "GM": ("Giấy mời", "Invitation", "GM"),
    "GGT": ("Giấy giới thiệu", "Letter of introduction", "GGT"),
    "GNP": ("Giấy nghỉ phép", "Leave permit", "GNP"),
    "PG": ("Phiếu gửi", "Dispatch slip", "PG"), "PC": ("Phiếu chuyển", "Transfer slip", "PC"),
    "PB": ("Phiếu báo", "Notification slip", "PB"),
    "CV": ("Công văn", "Official letter", ""),
    "ThC": ("Thư công", "Official correspondence", ""),
    # Normative documents received from other bodies (Luật Ban hành VBQPPL).
    "L": ("Luật", "Law", ""), "NĐ": ("Nghị định", "Decree", "NĐ"),
    "TT": ("Thông tư", "Circular", "TT"),
}

# An incoming document's states (ND30 Phụ lục VI; edXML status codes in brackets).
INCOMING_STATE_NAMES = {
    "received": ("Chờ tiếp nhận", "Awaiting receipt"),             # (01)
    "returned": ("Đã trả lại", "Returned"),                          # (02)
    "registered": ("Đã vào sổ, chờ phân công", "Registered, awaiting assignment"),  # (03)
    "to_assign": ("Chờ phân công", "Awaiting assignment"),
    "assigned": ("Đã phân công", "Assigned"),                        # (04)
    "in_progress": ("Đang xử lý", "In progress"),                    # (05)
    "done": ("Hoàn thành", "Done"),                                  # (06)
    "recalled": ("Đã thu hồi", "Recalled"),
}
INCOMING_STATES = tuple(INCOMING_STATE_NAMES)

# An outgoing document's states, from first draft to issue and recall (DOMAIN.md §1.6).
OUTGOING_STATE_NAMES = {
    "draft": ("Dự thảo", "Draft"), "submitted": ("Trình duyệt", "Submitted for approval"),
    "returned": ("Trả lại", "Returned"), "approved": ("Đã duyệt", "Approved"),
    "form_checked": ("Đã kiểm tra thể thức", "Form checked"), "signed": ("Đã ký", "Signed"),
    "numbered": ("Đã cấp số", "Numbered"),
    "sealed": ("Đã ký số cơ quan", "Signed by the organisation"),
    "issued": ("Đã phát hành", "Issued"),
    "recalled": ("Đã thu hồi", "Recalled"), "cancelled": ("Đã hủy", "Cancelled"),
}
OUTGOING_STATES = tuple(OUTGOING_STATE_NAMES)
# The steps on an outgoing document, as verbs ("bạn không có quyền <verb> văn bản này").
OUTGOING_ACTION_NAMES = {
    "submit": ("trình duyệt", "submit"), "return": ("trả lại", "return"),
    "approve": ("duyệt", "approve"), "check_form": ("kiểm tra thể thức", "check the form of"),
    "sign": ("ký", "sign"), "number": ("cấp số", "number"),
    "seal": ("ký số cơ quan cho", "apply the organisation's signature to"),
    "issue": ("phát hành", "issue"),
    "recall": ("thu hồi", "recall"),
    "update": ("cập nhật thông tin", "update the particulars of"),
    "cancel": ("hủy", "cancel"),
}

# A document's state in a narrow column (search results and their spreadsheet), incoming
# and issued outgoing documents alike: the short names a list shows.
LISTED_STATE_NAMES = {
    "received": ("Tiếp nhận", "Received"), "returned": ("Trả lại", "Returned"),
    "registered": ("Đã vào sổ", "Registered"), "to_assign": ("Chờ phân công", "To assign"),
    "assigned": ("Đã phân công", "Assigned"), "in_progress": ("Đang xử lý", "In progress"),
    "done": ("Hoàn thành", "Done"), "recalled": ("Thu hồi", "Recalled"),
    "issued": ("Đã phát hành", "Issued"),
}

# A document's processing (workflow) and the parts of work in it.
PROCESSING_STATE_NAMES = {
    "awaiting_assignment": ("Chờ phân công", "Awaiting assignment"),
    "assigned": ("Đã phân công", "Assigned"),
    "in_progress": ("Đang xử lý", "In progress"),
    "done": ("Hoàn thành", "Done"),
    "in_approval": ("Đang duyệt", "Being approved"),
    "approved": ("Đã duyệt", "Approved"),
    "returned": ("Trả lại", "Returned"),
}
WORK_KIND_NAMES = {
    "to_assign": ("Phân công xử lý", "Assign for handling"),
    "lead": ("Chủ trì", "Lead"),
    "co_handler": ("Phối hợp", "Co-handling"),
    "for_info": ("Để biết", "For information"),
    "approve": ("Duyệt dự thảo", "Approve a draft"),
}
WORK_STATE_NAMES = {
    "open": ("Đang thực hiện", "Open"),
    "forwarded": ("Đã giao cán bộ", "Passed on"),
    "done": ("Hoàn thành", "Done"),
    "returned": ("Đã trả lại", "Returned"),
    "closed": ("Đã đóng", "Closed"),
}
TASK_STATE_NAMES = {
    "open": ("Đang thực hiện", "Open"),
    "done": ("Hoàn thành", "Done"),
    "cancelled": ("Đã hủy", "Cancelled"),
}

# Hình thức bản sao (ND30 Điều 25): sao y, sao lục, trích sao.
COPY_FORM_NAMES = {"SY": ("Sao y", "True copy"), "SL": ("Sao lục", "Transcribed copy"),
                   "TS": ("Trích sao", "Extract")}

# Delegations (ủy quyền, ký thay, thừa lệnh) and what they may cover.
DELEGATION_KIND_NAMES = {"KT": ("ký thay", "signing for"), "TL": ("thừa lệnh", "by order of"),
                         "TUQ": ("thừa ủy quyền", "by authority of")}
DELEGATION_ACTION_NAMES = {"sign": ("ký", "sign"), "approve": ("duyệt", "approve"),
                           "assign": ("phân công", "assign")}

# How a document stands to an earlier one of its unit (DOMAIN.md §2.8; ND30 Điều 18.3):
# it replaces it (thay thế: errors of content) or corrects it (đính chính: errors of form).
RELATED_KIND_NAMES = {"replaces": ("thay thế", "replaces"),
                      "corrects": ("đính chính", "corrects")}

TABLES = {
    "urgencies": URGENCY_NAMES, "confidentialities": CONFIDENTIALITY_NAMES,
    "roles": ROLE_NAMES, "incoming_states": INCOMING_STATE_NAMES,
    "outgoing_states": OUTGOING_STATE_NAMES, "outgoing_actions": OUTGOING_ACTION_NAMES,
    "processing_states": PROCESSING_STATE_NAMES, "work_kinds": WORK_KIND_NAMES,
    "work_states": WORK_STATE_NAMES, "task_states": TASK_STATE_NAMES,
    "copy_forms": COPY_FORM_NAMES, "delegation_kinds": DELEGATION_KIND_NAMES,
    "delegation_actions": DELEGATION_ACTION_NAMES,
}


def name(table: dict, code: str | None, language: str = "vi") -> str:
    """A code's name in a language ("vi" or "en"); the code itself when unknown."""
    names = table.get(code)
    if not names:
        return code or ""
    return names[1] if language == "en" else names[0]


def as_api() -> dict:
    """Every table as JSON for GET /api/v1/vocabulary: {table: [{code, vi, en}]}, in
    order; document types carry their ký hiệu abbreviation too."""
    out = {key: [{"code": code, "vi": names[0], "en": names[1]}
                 for code, names in table.items()] for key, table in TABLES.items()}
    out["document_types"] = [{"code": code, "vi": vi, "en": en, "abbreviation": abbr}
                             for code, (vi, en, abbr) in DOCUMENT_TYPES.items()]
    return out
