"""Validating input at the edges, with every problem named in Vietnamese and English.

    problems = Problems()
    subject = problems.text(data, "subject", max_length=500, required=True)
    problems.raise_if_any()          # InvalidInput(details={field: {"vi", "en"}})

Unknown fields are refused too, so a typo is never silently ignored.
"""
from __future__ import annotations

import re
from datetime import date

from services.common.errors import InvalidInput

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
#: What no text field may hold: control characters other than tab and newline (NUL
#: cannot be stored in PostgreSQL; the others only hide or garble text) and lone
#: surrogates (not encodable).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
#: Integers fit a database column unless a field names its own bounds.
INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1


def has_control_chars(value: str) -> bool:
    return bool(CONTROL_CHARS.search(value))


class Problems:
    def __init__(self):
        self.details: dict[str, dict[str, str]] = {}

    def add(self, field: str, vi: str, en: str) -> None:
        self.details.setdefault(field, {"vi": vi, "en": en})

    def raise_if_any(self) -> None:
        if self.details:
            fields = ", ".join(sorted(self.details))
            raise InvalidInput(f"Dữ liệu không hợp lệ: {fields}.", f"Invalid input: {fields}.",
                               self.details)

    def object(self, data, name: str = "body") -> dict:
        if not isinstance(data, dict):
            self.add(name, "Phải là một đối tượng JSON.", "Must be a JSON object.")
            self.raise_if_any()
        return data

    def only(self, data: dict, allowed: set[str], prefix: str = "") -> None:
        for key in data:
            if key not in allowed:
                self.add(prefix + key, "Trường không được hỗ trợ.", "Unknown field.")

    def text(self, data: dict, field: str, *, max_length: int, required: bool = False,
             pattern: re.Pattern | None = None, pattern_vi: str = "", pattern_en: str = "",
             label: str | None = None) -> str | None:
        name = label or field
        value = data.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(name, "Bắt buộc phải nhập.", "Required.")
            return None
        if not isinstance(value, str):
            self.add(name, "Phải là chuỗi ký tự.", "Must be a string.")
            return None
        if has_control_chars(value):
            self.add(name, "Chứa ký tự điều khiển không được phép.",
                     "Contains a control character that is not allowed.")
            return None
        value = value.strip()
        if len(value) > max_length:
            self.add(name, f"Dài tối đa {max_length} ký tự.",
                     f"At most {max_length} characters.")
            return None
        if pattern is not None and not pattern.match(value):
            self.add(name, pattern_vi, pattern_en)
            return None
        return value

    def integer(self, data: dict, field: str, *, minimum: int | None = None,
                maximum: int | None = None, required: bool = False,
                label: str | None = None) -> int | None:
        name = label or field
        value = data.get(field)
        if value is None:
            if required:
                self.add(name, "Bắt buộc phải nhập.", "Required.")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            # ASCII digits only: "²" is a digit to str.isdigit but not to int()
            if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value.strip()):
                value = int(value)
            else:
                self.add(name, "Phải là số nguyên.", "Must be an integer.")
                return None
        minimum = INT_MIN if minimum is None else minimum
        maximum = INT_MAX if maximum is None else maximum
        if value < minimum:
            self.add(name, f"Không được nhỏ hơn {minimum}.", f"Must be at least {minimum}.")
            return None
        if value > maximum:
            self.add(name, f"Không được lớn hơn {maximum}.", f"Must be at most {maximum}.")
            return None
        return value

    def date(self, data: dict, field: str, *, required: bool = False,
             label: str | None = None) -> date | None:
        name = label or field
        value = data.get(field)
        if value is None or value == "":
            if required:
                self.add(name, "Bắt buộc phải nhập.", "Required.")
            return None
        if not isinstance(value, str):
            self.add(name, "Ngày phải có dạng YYYY-MM-DD.", "Dates are YYYY-MM-DD.")
            return None
        try:
            if len(value) != 10:   # fromisoformat also takes 20201030 and week dates
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.add(name, "Ngày phải có dạng YYYY-MM-DD và là ngày có thật.",
                     "Dates are YYYY-MM-DD and must exist.")
            return None

    def choice(self, data: dict, field: str, choices, *, default=None,
               label: str | None = None):
        name = label or field
        value = data.get(field, default)
        if value is None:
            return default
        if value not in choices:
            allowed = ", ".join(str(c) for c in choices)
            self.add(name, f"Giá trị không hợp lệ; chọn một trong: {allowed}.",
                     f"Invalid value; one of: {allowed}.")
            return None
        return value

    def boolean(self, data: dict, field: str, *, default: bool = False) -> bool:
        value = data.get(field, default)
        if not isinstance(value, bool):
            self.add(field, "Phải là true hoặc false.", "Must be true or false.")
            return default
        return value

    def id_list(self, data: dict, field: str, *, max_items: int) -> list[str]:
        value = data.get(field) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(field, "Phải là danh sách mã.", "Must be a list of ids.")
            return []
        if len(value) > max_items:
            self.add(field, f"Tối đa {max_items} mục.", f"At most {max_items} items.")
            return []
        if not all(UUID_RE.match(v) for v in value):
            self.add(field, "Có mã không hợp lệ.", "Contains an invalid id.")
            return []
        if len(set(value)) != len(value):
            self.add(field, "Có mã bị trùng.", "Contains a duplicate id.")
            return []
        return value


def page_params(problems: Problems, params: dict) -> tuple[int, int]:
    page = problems.integer(params, "page", minimum=1, maximum=100000) or 1
    page_size = problems.integer(params, "page_size", minimum=1, maximum=200) or 20
    return page, page_size


def parse_answer(data) -> dict:
    """A văn thư's answer to a sender's request (a recall or an update, from another
    agency or a unit of this system): ``{agree (bool), reason (required to refuse)}``.
    Errors: InvalidInput."""
    problems = Problems()
    data = problems.object(data, "payload")
    problems.only(data, {"agree", "reason"})
    agree = problems.boolean(data, "agree", default=None)   # required: true or false
    reason = problems.text(data, "reason", max_length=1000, required=agree is False)
    problems.raise_if_any()
    return {"agree": agree, "reason": reason}
