"""The one error of the edXML codec: a package that cannot be read (or a value that cannot be
written), with a stable ``code`` for machines, a message in Vietnamese for the clerk and one
in English for the sending agency's technicians, and the ``field`` at fault when there is
one. Nothing else escapes ``parse_package``: no lxml, base64 or zip exception."""
from __future__ import annotations

#: Every code, for the service that maps them (a 4xx, or a status 02 back to the sender).
CODES = frozenset({
    "too_large",             # the package, or what its attachments unzip to, is over a limit
    "not_xml",               # not well-formed XML (or over the parser's safety limits)
    "dtd_forbidden",         # any DOCTYPE: entities, external or not, are never expanded
    "wrong_namespace",       # an edXML look-alike in another namespace (http://www.go.vn/eDoc)
    "not_edxml",             # XML, but not an edXML package
    "missing_field",         # a required field is absent or empty
    "bad_value",             # a field holds what it cannot hold (a date, a number, a range)
    "unknown_status",        # a StatusCode without a known meaning (14, 99, …)
    "too_many_attachments",
    "attachment_too_large",  # one file over the limit (as sent, or once unzipped)
    "attachment_mismatch",   # manifest and AttachmentEncoded do not list the same files
    "bad_attachment",        # a payload that is not base64, or a damaged ZIP
})


class PackageError(Exception):
    """A package that cannot be read or written as asked."""

    def __init__(self, code: str, vi: str, en: str, field: str | None = None):
        super().__init__(en)
        self.code, self.vi, self.en, self.field = code, vi, en, field

    def __repr__(self) -> str:
        return f"PackageError({self.code!r}, field={self.field!r}: {self.en})"
