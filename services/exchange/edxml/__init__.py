"""The edXML codec (QCVN 102:2016 and its amendment 1:2022; DOMAIN.md §2): packages read
(``parse_package``), written (``build_edoc``, ``build_status``), signed and verified as
XML-DSig (``sign_package``, ``verify_package``). Plain Python and lxml, no service framework:
the exchange service wraps it."""
from .build import build_edoc, build_status
from .errors import PackageError
from .model import (NEW, RECALL, REPLACE, STATUS_CODES, UPDATE, Attachment, Business, Edoc,
                    Organ, Replacement, ResponseFor, StaffInfo, Status, TraceHeader,
                    document_id_of)
from .parse import Limits, parse_package
from .signature import SignatureCheck, sign_package, verify_package

__all__ = [
    "NEW", "RECALL", "UPDATE", "REPLACE", "STATUS_CODES", "Attachment", "Business", "Edoc",
    "Organ", "Replacement", "ResponseFor", "StaffInfo", "Status", "TraceHeader",
    "document_id_of", "PackageError", "Limits", "parse_package", "build_edoc", "build_status",
    "SignatureCheck", "sign_package", "verify_package",
]
