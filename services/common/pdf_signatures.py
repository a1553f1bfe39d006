"""Whether a PDF could carry a digital signature, told from its bytes without a parser: the
one rule shared by storage (which scans a file as it stores it and says so in
``file_stored``) and signing (which verifies a PDF only when it could be signed).

Every signature dictionary spells out ``/ByteRange`` in the file's own bytes: its
``/Contents`` is excluded from what it signs, so it can never sit in a compressed object
stream, and key names are not encrypted. A whole file (ending in ``%%EOF``) without one is
unsigned: most uploads are scans, told so without a parser or a child process."""
from __future__ import annotations

from dataclasses import dataclass

SIGNATURE_MARK = b"/ByteRange"
ENCRYPT_MARK = b"/Encrypt"
END_MARK = b"%%EOF"
HEADER_MARK = b"%PDF-"
#: Where the header and the end mark must be (signing's verification looks there too).
EDGE_BYTES = 1024
#: Signing refuses a signature value (/Contents) over 1 MiB, i.e. a run of more than
#: 2 MiB of hex digits, before it reads whether a file is signed: a file with such a run
#: is left to signing to judge (see ``scan_pdf_file``).
LONGEST_HEX_RUN = 2 * 1024 * 1024
SCAN_CHUNK = 1024 * 1024
#: what signing counts in a signature value's run: hex digits and regex ``\s``
_HEX_AND_SPACE = b"0123456789abcdefABCDEF \t\n\r\f\v"
_OVERLAP = max(len(SIGNATURE_MARK), len(ENCRYPT_MARK)) - 1


def might_be_signed(pdf: bytes) -> bool:
    """Whether the file could hold a signature at all, or must be parsed to say what it
    is (see the module's docstring)."""
    return SIGNATURE_MARK in pdf or END_MARK not in pdf[-EDGE_BYTES:]


@dataclass(frozen=True)
class PdfScan:
    #: False only when signing's verification would certainly answer "unsigned" without
    #: parsing the file: a PDF header in the first 1024 bytes, %%EOF in the last 1024,
    #: no /ByteRange anywhere, and no 1 MiB block all hex digits (a signature value too
    #: big, which signing refuses before it looks for /ByteRange). Never False for a
    #: signed file.
    might_be_signed: bool
    #: ``/Encrypt`` appears in the bytes (what an unsigned report says as ``encrypted``).
    encrypted: bool


def scan_pdf_file(path: str, chunk_size: int = SCAN_CHUNK) -> PdfScan:
    """Scan a stored PDF in chunks (a file of any size, in bounded memory)."""
    if chunk_size * 2 > LONGEST_HEX_RUN:
        raise ValueError("chunk_size must be at most half of LONGEST_HEX_RUN")
    found_signature = found_encrypt = hex_block = False
    head = b""
    tail = b""
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(chunk_size)
            if not chunk:
                break
            if len(head) < EDGE_BYTES:
                head = (head + chunk[:EDGE_BYTES])[:EDGE_BYTES]
            # a mark may straddle two chunks: look at the seam too
            seam = tail[-_OVERLAP:] + chunk[:_OVERLAP]
            found_signature = found_signature or SIGNATURE_MARK in chunk \
                or SIGNATURE_MARK in seam
            found_encrypt = found_encrypt or ENCRYPT_MARK in chunk or ENCRYPT_MARK in seam
            # a run of hex over LONGEST_HEX_RUN bytes covers at least one whole chunk
            # (chunks are aligned, at most half as long): none all hex, no such run
            hex_block = hex_block or _has_hex_block(chunk, chunk_size)
            tail = (tail + chunk[-EDGE_BYTES:])[-EDGE_BYTES:]
    plain = HEADER_MARK in head and END_MARK in tail and not found_signature and not hex_block
    return PdfScan(might_be_signed=not plain, encrypted=found_encrypt)


def _has_hex_block(chunk: bytes, block: int) -> bool:
    return len(chunk) == block and not chunk.translate(None, _HEX_AND_SPACE)
