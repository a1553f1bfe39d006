"""The one error taxonomy shared by every service and the gateway.

Every error that crosses a service boundary is defined here and registered with
nameko's deserializer, so a caller receives the same type the callee raised (not a
bare RemoteError). Constructor arguments stay JSON-safe because nameko rebuilds the
exception as ``cls(*exc.args)`` on the caller's side.

Each error carries a Vietnamese message (the default) and an English one; the
gateway chooses by ``Accept-Language``.
"""
from __future__ import annotations

from nameko.exceptions import deserialize_to_instance


@deserialize_to_instance
class EofficeError(Exception):
    code = "UNEXPECTED_ERROR"
    status = 500

    def __init__(self, message_vi: str = "Lỗi không mong đợi.",
                 message_en: str | None = None, details: dict | None = None):
        super().__init__(message_vi, message_en or message_vi, details or {})

    @property
    def message_vi(self) -> str:
        return self.args[0]

    @property
    def message_en(self) -> str:
        return self.args[1]

    @property
    def details(self) -> dict:
        return self.args[2]

    def message(self, language: str = "vi") -> str:
        return self.message_en if language == "en" else self.message_vi

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"


@deserialize_to_instance
class InvalidInput(EofficeError):
    code = "VALIDATION_ERROR"
    status = 400


@deserialize_to_instance
class Unauthenticated(EofficeError):
    code = "UNAUTHENTICATED"
    status = 401


@deserialize_to_instance
class Forbidden(EofficeError):
    code = "FORBIDDEN"
    status = 403


@deserialize_to_instance
class NotFound(EofficeError):
    code = "NOT_FOUND"
    status = 404


@deserialize_to_instance
class Conflict(EofficeError):
    code = "CONFLICT"
    status = 409


@deserialize_to_instance
class TooLarge(EofficeError):
    code = "TOO_LARGE"
    status = 413


@deserialize_to_instance
class UnsupportedType(EofficeError):
    code = "UNSUPPORTED_TYPE"
    status = 415


@deserialize_to_instance
class TooManyRequests(EofficeError):
    """Slow down: ``details["retry_after"]`` (whole seconds, as text) becomes the
    Retry-After header."""
    code = "TOO_MANY_REQUESTS"
    status = 429


@deserialize_to_instance
class PasswordChangeRequired(EofficeError):
    """A password an administrator reset must be changed before anything else."""
    code = "PASSWORD_CHANGE_REQUIRED"
    status = 403


@deserialize_to_instance
class ServiceUnavailable(EofficeError):
    code = "SERVICE_UNAVAILABLE"
    status = 503


@deserialize_to_instance
class ServiceTimeout(EofficeError):
    code = "SERVICE_TIMEOUT"
    status = 504


#: Every error a service entrypoint may raise on purpose (``expected_exceptions``).
EXPECTED_ERRORS = (EofficeError,)


def invalid_fields(details: dict[str, str]) -> InvalidInput:
    """An InvalidInput naming each bad field (``details`` maps field → problem)."""
    fields = ", ".join(sorted(details))
    return InvalidInput(
        f"Dữ liệu không hợp lệ: {fields}.",
        f"Invalid input: {fields}.",
        details,
    )


def not_found(kind_vi: str, kind_en: str, ident) -> NotFound:
    return NotFound(f"Không tìm thấy {kind_vi} {ident}.", f"{kind_en} {ident} not found.")
