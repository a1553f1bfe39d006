"""The reference axis's refusals: an HTTP status, a stable code, a message in English and one
in Vietnamese. They travel in the SDK's answer shape (``status`` "FAIL", ``ErrorCode``,
``ErrorDesc``) with the Vietnamese message in ``ErrorDescVi`` (our field)."""
from __future__ import annotations


class AxisProblem(Exception):
    status = 500
    code = "UNEXPECTED_ERROR"

    def __init__(self, message_en: str, message_vi: str, details: dict | None = None):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_vi = message_vi
        self.details = details or {}

    def answer(self) -> dict:
        body = {"status": "FAIL", "ErrorCode": self.code, "ErrorDesc": self.message_en,
                "ErrorDescVi": self.message_vi}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(AxisProblem):
    status = 400
    code = "VALIDATION_ERROR"


class Unauthenticated(AxisProblem):
    status = 401
    code = "UNAUTHENTICATED"


class Forbidden(AxisProblem):
    status = 403
    code = "FORBIDDEN"


class NotFound(AxisProblem):
    status = 404
    code = "NOT_FOUND"


class Conflict(AxisProblem):
    status = 409
    code = "CONFLICT"


class Gone(AxisProblem):
    status = 410
    code = "GONE"


class TooLarge(AxisProblem):
    status = 413
    code = "TOO_LARGE"


def invalid(field: str, problem_en: str, problem_vi: str) -> InvalidInput:
    return InvalidInput(f"{field}: {problem_en}", f"{field}: {problem_vi}", {"field": field})


def bad_signature() -> Unauthenticated:
    # One answer for a wrong secret, an unknown system and a tampered header: the caller
    # learns nothing about which.
    return Unauthenticated(
        "The request's SystemId and signature do not match a connected system.",
        "SystemId và chữ ký của yêu cầu không khớp với hệ thống nào đã kết nối.")
