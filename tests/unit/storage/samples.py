"""Small files of every accepted kind, built in a test's tmp dir, plus the two real
documents in tests/fixtures/docs (see SOURCE.md there)."""
import struct
import zipfile
import zlib
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "docs"
PDF_FIXTURE = FIXTURES / "anle_57_2023.pdf"
DOCX_FIXTURE = FIXTURES / "anle_17_2018.docx"
#: words known to be in the fixtures' text layers
PDF_WORD = "Cướp giật tài sản"
DOCX_WORD = "côn đồ"


def png_bytes() -> bytes:
    """A real 1×1 white PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def write_zip(path: Path, members: dict, stored_first: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), members.pop(stored_first),
                             compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def make_samples(tmp: Path) -> dict[str, Path]:
    """One file per accepted extension, each with the right content."""
    tmp.mkdir(parents=True, exist_ok=True)
    samples = {
        "pdf": PDF_FIXTURE,
        "docx": DOCX_FIXTURE,
        "xlsx": write_zip(tmp / "bang.xlsx", {"[Content_Types].xml": "<Types/>",
                                               "xl/workbook.xml": "<workbook/>"}),
        "odt": write_zip(tmp / "van_ban.odt",
                         {"mimetype": "application/vnd.oasis.opendocument.text",
                          "content.xml": "<office:document-content/>"},
                         stored_first="mimetype"),
    }
    ole2 = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    for ext in ("doc", "xls"):
        path = tmp / f"cu.{ext}"
        path.write_bytes(ole2)
        samples[ext] = path
    for ext, data in {"png": png_bytes(),
                      "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9",
                      "jpeg": b"\xff\xd8\xff\xdb" + b"\x00" * 64 + b"\xff\xd9",
                      "tif": b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32,
                      "tiff": b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 32,
                      "txt": "Công văn số 12/UBND-VP về việc họp giao ban.\n".encode()}.items():
        path = tmp / f"mau.{ext}"
        path.write_bytes(data)
        samples[ext] = path
    return samples
