"""Small files of every accepted kind, built in a test's tmp dir, plus the real
documents in tests/fixtures/docs (see SOURCE.md there); scans made from them, and
hostile files (zip bombs, encrypted PDF, decompression-bomb images, XML with a DTD)."""
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


# ---------------------------------------------------------------- more kinds (issue 5)

#: Word 97-2003 binaries (see SOURCE.md): the 1992 Constitution, and the Law on
#: Handling Administrative Violations, part of which is stored with decomposed
#: (NFD) diacritics.
DOC_FIXTURE = FIXTURES / "hien_phap_1992.doc"
DOC_WORDS = ("LỜI NÓI ĐẦU", "chiến dịch Điện Biên Phủ", "Tổ quốc")
DOC_NFD_FIXTURE = FIXTURES / "luat_15_2012_qh13.doc"
DOC_NFD_WORDS = ("Xử lý vi phạm hành chính", "Điều 2. Giải thích từ ngữ")
#: stored decomposed in the .doc: must come out composed (NFC)
DOC_NFD_HEADING = "ÁP DỤNG CÁC BIỆN PHÁP XỬ LÝ HÀNH CHÍNH"
#: The Constitution of 2013 as printed in the Official Gazette (Công báo): 28 pages with
#: a text layer and a broken xref table. Its first page, rasterised, is the scan the
#: OCR tests read.
GAZETTE_PDF = FIXTURES / "hien_phap_2013_cong_bao.pdf"
GAZETTE_WORDS = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Điều 1")


def pdf_page_image(pdf: Path, page: int = 1, dpi: int = 200, top: float = 1.0):
    """A page of ``pdf`` as a grey Pillow image (rendered with pdftoppm), cut to its
    top ``top`` fraction: a stand-in for a scanner's output."""
    import io
    import subprocess

    from PIL import Image

    pgm = subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi),
                          "-gray", str(pdf)], capture_output=True, check=True).stdout
    image = Image.open(io.BytesIO(pgm))
    image.load()
    if top < 1.0:
        image = image.crop((0, 0, image.width, int(image.height * top)))
    return image


def scanned_pdf(path: Path, images, dpi: int = 200) -> Path:
    """A PDF of ``images`` only, one a page, JPEG-compressed as scanners write them:
    no text layer at all."""
    first, *rest = images
    first.save(path, format="PDF", resolution=dpi, save_all=True, append_images=rest)
    return path


def text_and_scan_pdf(path: Path, scan: Path) -> Path:
    """Page 1 of the text-layer precedent PDF followed by the pages of ``scan``."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(PDF_FIXTURE), pages=(0, 1))
    writer.append(PdfReader(scan))
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def encrypted_pdf(path: Path, user_password: str = "mat-khau") -> Path:
    """A one-page PDF with a text layer, AES-256 encrypted (an empty ``user_password``
    only restricts permissions: it still opens)."""
    import io

    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Cong van so 12/UBND-VP ve viec hop giao ban tuan")
    page.showPage()
    page.save()
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(buffer.getvalue())))
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu",
                   algorithm="AES-256")
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


ODT_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"')
#: The body of a small official letter (công văn), with what LibreOffice writes:
#: spans, runs of spaces, a list, a table with a header row, a footnote, a text box
#: and a comment (which is not the document's text).
ODT_BODY = """
<text:h text:outline-level="1">ỦY BAN NHÂN DÂN TỈNH NGHỆ AN</text:h>
<text:p>Số: 125/UBND-VP<text:tab/>Nghệ An, ngày 05 tháng 3 năm 2025</text:p>
<text:p>V/v <text:span>tổ chức họp</text:span><text:s text:c="3"/>giao ban<text:note
 text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body>
<text:p>Theo Quy chế làm việc của Ủy ban.</text:p></text:note-body></text:note> quý I</text:p>
<text:list><text:list-item><text:p>Sở Tài chính;</text:p></text:list-item>
<text:list-item><text:p>Sở Nội vụ.</text:p></text:list-item></text:list>
<table:table table:name="Bang1"><table:table-header-rows><table:table-row>
<table:table-cell><text:p>Đơn vị</text:p></table:table-cell>
<table:table-cell><text:p>Thời gian</text:p></table:table-cell>
</table:table-row></table:table-header-rows><table:table-row>
<table:table-cell><text:p>Văn phòng</text:p></table:table-cell>
<table:table-cell><text:p>8 giờ 00</text:p></table:table-cell></table:table-row></table:table>
<text:p><draw:frame svg:width="5cm"><draw:text-box><text:p>Nơi nhận: như trên</text:p>
</draw:text-box></draw:frame>KT. CHỦ TỊCH<office:annotation><text:p>ghi chú nội bộ</text:p>
</office:annotation></text:p>
"""
ODT_LINES = ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
             "Số: 125/UBND-VP\tNghệ An, ngày 05 tháng 3 năm 2025",
             "V/v tổ chức họp   giao ban quý I",
             "Theo Quy chế làm việc của Ủy ban.",
             "Sở Tài chính;", "Sở Nội vụ.",
             "Đơn vị\tThời gian", "Văn phòng\t8 giờ 00",
             "KT. CHỦ TỊCH", "Nơi nhận: như trên")


def odt_content(body: str = ODT_BODY, prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
            f'<office:document-content {ODT_NAMESPACES} office:version="1.3">'
            f"<office:body><office:text>{body}</office:text></office:body>"
            "</office:document-content>")


def write_odt(path: Path, content: str | bytes | None = None,
              manifest: str | None = None) -> Path:
    """An OpenDocument text file as LibreOffice lays it out: ``mimetype`` stored first."""
    manifest = manifest or (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>')
    return write_zip(path, {"mimetype": "application/vnd.oasis.opendocument.text",
                            "content.xml": odt_content() if content is None else content,
                            "META-INF/manifest.xml": manifest}, stored_first="mimetype")


#: An XML bomb (billion laughs) and an external entity: both need a DTD, refused.
ODT_ENTITY_PROLOGS = {
    "billion-laughs": '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
                      + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                                for i in range(8)) + "]>",
    "external-entity": '<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/hostname">]>',
}


def zip_bomb(path: Path, kind: str, inflated: int = 16 * 1024 * 1024) -> Path:
    """A DOCX or ODT whose main part inflates ``inflated`` bytes of nothing from a
    few kilobytes (a ratio of about 1000)."""
    padding = b" " * inflated
    if kind == "docx":
        members = {"[Content_Types].xml": "<Types/>",
                   "word/document.xml": b"<w:document>" + padding + b"</w:document>"}
        return write_zip(path, members)
    return write_odt(path, content=odt_content().encode() + padding)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width``×``height`` grey pixels, with one row of
    data: decoding it in full would need width×height bytes."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff" * min(width, 4096)))
            + chunk(b"IEND", b""))


def jpeg_header_only(width: int, height: int) -> bytes:
    """A baseline JPEG header declaring ``width``×``height`` (one grey component)."""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    quant = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(1, 65))
    scan = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + quant + sof + scan + b"\x00" * 64 + b"\xff\xd9"
