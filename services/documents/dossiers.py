"""Hồ sơ rules (ND30 Điều 28–29; Phụ lục VI Phần II §III): input, FileCode, totals, and
the export of a dossier as XML of the Phụ lục VI fields and as a PDF with its table of
contents (Mục lục văn bản trong hồ sơ). No nameko here."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone
from xml.etree import ElementTree as ET

from services.common import vocabulary
from services.common.clock import VIETNAM
from services.common.validation import Problems

OPEN, CLOSED = "open", "closed"
NOTATION_RE = re.compile(r"^[^\W_][\w.\-/]{0,19}$")
DEFAULT_RIGHTS = "Hạn chế"
MAX_DOCUMENTS = 999   # DocOrdinal is Number(3)


def maintenance_label(value) -> str | None:
    """Thời hạn bảo quản: "permanent" → "Vĩnh viễn", N (years) → "N năm"."""
    if value == "permanent":
        return "Vĩnh viễn"
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100:
        return f"{value} năm"
    return None


def parse_dossier(data) -> dict:
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"unit_id", "year", "notation", "title", "maintenance", "rights",
                         "language", "description"})
    dossier = {
        "unit_id": problems.text(data, "unit_id", max_length=36, required=True),
        "year": problems.integer(data, "year", minimum=1945, maximum=2100, required=True),
        "notation": problems.text(data, "notation", max_length=20, required=True,
                                  pattern=NOTATION_RE,
                                  pattern_vi="Số và ký hiệu hồ sơ gồm chữ, số, '.', '-' hoặc '/', "
                                             "không khoảng trắng, tối đa 20 ký tự.",
                                  pattern_en="The file notation is letters, digits, '.', '-' "
                                             "or '/', no spaces, at most 20 characters."),
        "title": problems.text(data, "title", max_length=500, required=True),
        "rights": problems.text(data, "rights", max_length=30) or DEFAULT_RIGHTS,
        "language": problems.text(data, "language", max_length=50) or "Tiếng Việt",
        "description": problems.text(data, "description", max_length=500),
    }
    maintenance = maintenance_label(data.get("maintenance"))
    if maintenance is None:
        problems.add("maintenance",
                     "Thời hạn bảo quản là 'permanent' hoặc số năm từ 1 đến 100.",
                     "Retention is 'permanent' or a number of years from 1 to 100.")
    dossier["maintenance"] = maintenance
    problems.raise_if_any()
    return dossier


def file_code(organ_id: str, year: int, notation: str) -> str:
    return f"{organ_id}.{year}.{notation}"


def summary(documents: list[dict]) -> dict:
    """DocTotal, PageTotal, StartDate and EndDate from the filed documents."""
    dates = [date.fromisoformat(d["issued_date"]) for d in documents if d.get("issued_date")]
    return {"doc_total": len(documents),
            "page_total": sum(d.get("page_amount") or 0 for d in documents),
            "start_date": min(dates).isoformat() if dates else None,
            "end_date": max(dates).isoformat() if dates else None}


def trace_comment(details: dict) -> str:
    """What an event says in words: its reason, comment or instruction, if any."""
    return "; ".join(str(details[k]) for k in ("instruction", "reason", "comment", "note")
                     if details.get(k))


def priority(doc: dict) -> int:
    """Priority (Number, 1): the urgency as edXML codes it, 0 thường … 3 hỏa tốc (API.md).
    How Phụ lục VI folds secrecy into the same digit is unconfirmed (DOMAIN.md §1.11), so
    secrecy is not folded in; secret documents are marked by their own register."""
    return vocabulary.URGENCY_RANK.get(doc.get("urgency"), 0)


def parse_histories(problems: Problems, value) -> dict[str, list[dict] | None]:
    """Workflow's processing histories as the gateway passes them to export_dossier:
    {document_id: [{at (ISO), actor_id, action, details}] | None}, None for none at all.
    Returns them with ``at`` as a datetime; None stays None (could not be fetched)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add("processing_histories", "Phải là {mã văn bản: [sự kiện]}.",
                     "Must be {document id: [events]}.")
        return {}
    out: dict[str, list[dict] | None] = {}
    for document_id, events in value.items():
        if events is None:
            out[document_id] = None
            continue
        try:
            out[document_id] = [event | {"at": datetime.fromisoformat(event["at"]),
                                         "actor_id": event.get("actor_id"),
                                         "action": str(event["action"])}
                                for event in events]
        except (TypeError, KeyError, ValueError, AttributeError):
            problems.add(f"processing_histories.{document_id}",
                         "Lịch sử xử lý không hợp lệ.", "Invalid processing history.")
    return out


def as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def to_xml(dossier: dict, documents: list[dict], traces: dict | None = None) -> bytes:
    """The Phụ lục VI fields of the dossier (§III) and of each document in it (§I for
    outgoing, §II for incoming), with each incoming document's TraceHeaderList (field
    17: distribution, direction and processing) from ``traces`` {document_id: {events,
    complete}}: one TraceHeader an event, times in Vietnam time as edXML writes them."""
    root = ET.Element("HoSo")
    code = ET.SubElement(root, "FileCode")
    for tag, value in (("OrganId", dossier["organ_id"]), ("FileCatalog", dossier["year"]),
                       ("FileNotation", dossier["notation"])):
        ET.SubElement(code, tag).text = str(value)
    totals = summary(documents)
    for tag, value in (("Title", dossier["title"]), ("Maintenance", dossier["maintenance"]),
                       ("Rights", dossier["rights"]), ("Creator", dossier["creator_name"]),
                       ("Language", dossier["language"]), ("StartDate", totals["start_date"]),
                       ("EndDate", totals["end_date"]), ("DocTotal", totals["doc_total"]),
                       ("PageTotal", totals["page_total"]),
                       ("Description", dossier.get("description"))):
        ET.SubElement(root, tag).text = "" if value is None else str(value)
    listing = ET.SubElement(root, "VanBan")
    for doc in documents:
        item = ET.SubElement(listing, "TaiLieu")
        ref = ET.SubElement(item, "FileCode")
        for tag, value in (("OrganId", dossier["organ_id"]), ("FileCatalog", dossier["year"]),
                           ("FileNotation", dossier["notation"])):
            ET.SubElement(ref, tag).text = str(value)
        signer = doc.get("signer") or {}
        fields = [("DocOrdinal", doc["ordinal"]), ("TypeName", doc["document_type_name"]),
                  ("CodeNumber", doc["code_number"]), ("CodeNotation", doc["code_notation"]),
                  ("IssuedDate", doc["issued_date"]), ("OrganName", doc["issuer"]["name"]),
                  ("Subject", doc["subject"]), ("Language", doc.get("language") or "vi"),
                  ("PageAmount", doc.get("page_amount")),
                  ("Description", doc.get("description"))]
        if doc.get("direction") == "outgoing":      # Phụ lục VI §I
            fields += [("Priority", priority(doc)), ("IssuedAmount", doc.get("issued_amount")),
                       ("DueDate", doc.get("due_date"))]
        else:                                        # Phụ lục VI §II
            fields += [("ArrivalDate", (doc.get("arrival_date") or "")[:10]),
                       ("ArrivalNumber", doc.get("arrival_number")),
                       ("Priority", priority(doc)), ("ToPlaces", doc.get("to_places")),
                       ("DueDate", doc.get("due_date"))]
        for tag, value in fields:
            ET.SubElement(item, tag).text = "" if value is None else str(value)
        info = ET.SubElement(item, "SignerInfo")
        ET.SubElement(info, "Position").text = signer.get("position") or ""
        ET.SubElement(info, "FullName").text = signer.get("full_name") or ""
        for recipient in doc.get("recipients") or []:
            to = ET.SubElement(item, "To")
            ET.SubElement(to, "OrganId").text = recipient.get("organ_id") or ""
            ET.SubElement(to, "OrganName").text = recipient.get("name") or ""
        trace = (traces or {}).get(doc["id"])
        if trace is not None:
            trace_list = ET.SubElement(item, "TraceHeaderList")
            if not trace["complete"]:
                trace_list.set("complete", "false")
            for event in trace["events"]:
                header = ET.SubElement(trace_list, "TraceHeader")
                at = as_utc(event["at"]).astimezone(VIETNAM)
                for tag, value in (("Timestamp", at.strftime("%Y/%m/%d %H:%M:%S")),
                                   ("Staff", event.get("actor_name")),
                                   ("Action", event["action"]),
                                   ("Comment", trace_comment(event.get("details") or {}))):
                    ET.SubElement(header, tag).text = value or ""
    buffer = io.BytesIO()
    ET.ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue()


TOC_COLUMNS = ["STT", "Số, ký hiệu", "Ngày tháng văn bản", "Tác giả", "Trích yếu nội dung",
               "Tờ số", "Ghi chú"]
TOC_WIDTHS = [4, 12, 9, 18, 38, 6, 8]


def toc_rows(documents: list[dict]) -> list[list[str]]:
    """Mục lục văn bản: one row a document, with the sheet (tờ) it starts on."""
    rows, sheet = [], 1
    for doc in documents:
        issued = date.fromisoformat(doc["issued_date"]).strftime("%d/%m/%Y")
        rows.append([str(doc["ordinal"]), f"{doc['code_number']}/{doc['code_notation']}", issued,
                     doc["issuer"]["name"], f"{doc['document_type_name']}: {doc['subject']}",
                     str(sheet), doc.get("description") or ""])
        sheet += doc.get("page_amount") or 1
    return rows
