"""Where the visible parts of a signature go on an ND30 document (Phụ lục I), in PDF points,
found from the PDF's text layer: the signer's signature between the title line and the
signer's name (box 7c), the organisation's seal over the left third of it (box 8), the "Số:"
and date slots to fill after numbering, and the top-right corner of page 1 for attachments and
copies (box 14).

Positions come from pypdf's layout-mode text walker, which knows where each shown string
starts and ends (it applies the font widths, Tc/Tw/Tz and the matrices). Matching is on NFC
text, case-insensitively, with runs of white space as one space."""
from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypdf import PdfReader
from pypdf.generic import ContentStream

from services.signing.errors import SigningError

FONT_PATH = os.path.join(os.path.dirname(__file__), "fonts", "LiberationSerif-Regular.ttf")
MM = 72 / 25.4
SIGNATURE_WIDTH_RANGE = (35 * MM, 45 * MM)
RIGHT_MARGIN = 15 * MM  # ND30 Phụ lục I: right margin 15–20 mm
TOP_BAND = 3 * MM       # box 14 sits in the top margin (20–25 mm), this far below the edge
MAX_PAGES_SCANNED = 200  # bounded work on a long document


@dataclass(frozen=True)
class Box:
    page: int  # 0-based page index
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1


@dataclass(frozen=True)
class Line:
    """A run of text on one baseline: where it starts and ends, and its font size."""
    page: int
    x1: float
    x2: float
    baseline: float
    size: float
    text: str

    @property
    def lower(self) -> str:
        # NFC and lower case keep the length of Vietnamese text, so an index found here is an
        # index into ``text`` too.
        return self.text.lower()

    @property
    def top(self) -> float:
        # Vietnamese capitals carry marks above the cap height: about 0.9 em above baseline.
        return self.baseline + 0.9 * self.size

    @property
    def bottom(self) -> float:
        return self.baseline - 0.22 * self.size


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().lower()


def words_pattern(text: str) -> re.Pattern:
    """The words of ``text`` (NFC, lower case) with any white space between them."""
    return re.compile(r"\s+".join(re.escape(word) for word in normalise(text).split(" ")))


def not_found(what_vi: str, what_en: str) -> SigningError:
    return SigningError(
        "placement_not_found",
        f"Không tìm thấy {what_vi} trong lớp văn bản của tệp PDF để đặt chữ ký.",
        f"Could not find {what_en} in the PDF's text layer to place the signature.")


def signer_box(pdf: bytes, signer_name: str) -> Box:
    """Box 7c: centred on the signer's name line, between the baseline of the title line above
    it (e.g. "PHÓ CHỦ TỊCH") and the top of the name; the last occurrence of the name wins,
    since the signer block closes the document."""
    if not normalise(signer_name):
        raise not_found("họ tên người ký", "the signer's name")
    pattern = words_pattern(signer_name)
    lines = text_lines(pdf)
    names = [(line, match) for line in lines for match in [pattern.search(line.lower)] if match]
    if not names:
        raise not_found(f"họ tên người ký “{signer_name}”", f"the signer's name “{signer_name}”")
    name, match = max(names, key=lambda found: (found[0].page, -found[0].baseline))
    centre = (_x_at(name, match.start()) + _x_at(name, match.end())) / 2
    above = [line for line in lines
             if line.page == name.page and line.baseline > name.top
             and line.x1 <= centre <= line.x2]
    if not above:
        raise not_found("dòng chức vụ phía trên họ tên người ký",
                        "the title line above the signer's name")
    title = min(above, key=lambda line: line.baseline)
    low, high = name.top + 2, title.baseline - 2
    if high - low < 10 * MM:
        raise not_found("khoảng trống giữa chức vụ và họ tên người ký",
                        "room between the title line and the signer's name")
    width = min(max(name.x2 - name.x1, SIGNATURE_WIDTH_RANGE[0]), SIGNATURE_WIDTH_RANGE[1])
    x1, x2 = _inside_page(pdf, name.page, centre - width / 2, centre + width / 2)
    return Box(name.page, x1, low, x2, high)


def number_box(pdf: bytes) -> Box | None:
    """After "Số:" on page 1, to the end of that line (the blank and the ký hiệu), which the
    filled number ("15/QĐ-UBND") covers."""
    for line in text_lines(pdf, pages=1):
        match = re.match(r"\s*số\s*:\s?", line.lower)
        if match:
            start = _x_at(line, match.end())
            return Box(0, start, line.bottom - 1, max(line.x2 + 4, start + 60), line.top + 1)
    return None


DATE_LINE = re.compile(r"^\s*[^,;.]{2,60},\s*ngày\b.*\btháng\b.*\bnăm\b")


def _date_line(pdf: bytes) -> Line | None:
    for line in text_lines(pdf, pages=1):
        if DATE_LINE.match(line.lower):
            return line
    return None


def date_box(pdf: bytes) -> Box | None:
    """The "<place>, ngày … tháng … năm …" line on page 1 (the topmost if several), which
    the filled date line covers."""
    line = _date_line(pdf)
    return None if line is None else \
        Box(0, line.x1 - 6, line.bottom - 1, line.x2 + 6, line.top + 1)


def date_place(pdf: bytes) -> str | None:
    """The place name (địa danh) printed before ", ngày" on the date line, as written."""
    line = _date_line(pdf)
    return line.text.split(",", 1)[0].strip() if line else None


def seal_box(signature: Box, seal_width: float) -> Box:
    """Box 8: a square seal_width across, centred on the signature's height, covering the
    left third of the signature's box (ND30 Điều 33.1.b, Phụ lục I §II.8.a)."""
    right = signature.x1 + signature.width / 3
    middle = (signature.y1 + signature.y2) / 2
    return Box(signature.page, right - seal_width, middle - seal_width / 2, right,
               middle + seal_width / 2)


def top_right_box(pdf: bytes, width: float, height: float) -> Box:
    """Box 14: top right of page 1, its right edge on the right margin, in the top margin
    band (so the text of the page stays uncovered)."""
    left, bottom, right, top = _page_box(pdf, 0)
    x2 = right - RIGHT_MARGIN
    y2 = top - TOP_BAND
    return Box(0, max(left, x2 - width), max(bottom, y2 - height), x2, y2)


def text_lines(pdf: bytes, pages: int | None = None) -> list[Line]:
    """The text lines of the document's pages (the first ``pages`` of them), top to bottom."""
    lines = _text_lines(pdf)
    if pages is not None:
        return [line for line in lines if line.page < pages]
    return list(lines)


@lru_cache(maxsize=2)  # the boxes of one document are asked for in a row
def _text_lines(pdf: bytes) -> tuple[Line, ...]:
    # pypdf's private layout walker (pinned pypdf 7.1.1): the public visitor gives where a
    # string starts but not where it ends, and its own widths are wrong for subset fonts.
    from pypdf._text_extraction._layout_mode import _fixed_width_page as layout
    from pypdf._text_extraction._layout_mode._text_state_manager import TextStateManager

    reader = PdfReader(io.BytesIO(pdf))
    result: list[Line] = []
    for index, page in enumerate(reader.pages[:MAX_PAGES_SCANNED]):
        contents = page.get("/Contents")
        if contents is None:
            continue
        fonts = page._layout_mode_fonts()
        ops = iter(ContentStream(contents.get_object(), reader, "bytes").operations)
        state = TextStateManager()
        groups = []
        for operands, op in ops:
            if op in (b"BT", b"q"):
                found, _ = layout.recurse_to_target_op(
                    ops, state, b"ET" if op == b"BT" else b"Q", fonts, True)
                groups.extend(found)
            elif op == b"Tf":
                layout.set_font_operation(state, fonts, operands)
            else:
                state.set_state_param(op, operands)
        pieces = [Line(index, g["tx"], g["displaced_tx"], g["ty"], g["font_height"],
                       unicodedata.normalize("NFC", g["text"].replace("\n", " ")))
                  for g in groups if g["text"].strip()]
        result.extend(_join_pieces(pieces))
    return tuple(result)


def _join_pieces(pieces: list[Line]) -> list[Line]:
    """Pieces on one baseline that nearly touch (a word processor's per-word strings) make one
    line; pieces far apart (the two columns of the heading) stay apart."""
    pieces = sorted(pieces, key=lambda p: (-round(p.baseline, 0), p.x1))
    lines: list[Line] = []
    for piece in pieces:
        last = lines[-1] if lines else None
        if (last is not None and abs(last.baseline - piece.baseline) < 1
                and -1 <= piece.x1 - last.x2 < 1.5 * max(last.size, piece.size)):
            gap = " " if piece.x1 - last.x2 > 0.15 * piece.size else ""
            lines[-1] = Line(last.page, last.x1, piece.x2, last.baseline,
                             max(last.size, piece.size), last.text + gap + piece.text)
        else:
            lines.append(piece)
    return sorted(lines, key=lambda line: -line.baseline)


def _x_at(line: Line, index: int) -> float:
    """Where the character at ``index`` of the line's text starts, by the share of
    the line's width the text before it takes in Times-metric Liberation Serif (ND30 texts
    are set in Times New Roman, which it matches metrically)."""
    text = line.text
    total = _advance(text)
    if total <= 0:
        return line.x1
    return line.x1 + (line.x2 - line.x1) * _advance(text[:index]) / total


def _advance(text: str) -> float:
    widths, default = _liberation_widths()
    return sum(widths.get(ord(char), default) for char in unicodedata.normalize("NFC", text))


def text_width(text: str, size: float) -> float:
    """The width of ``text`` set in Liberation Serif at ``size`` points."""
    return _advance(text) / _units_per_em() * size


@lru_cache(maxsize=1)
def _units_per_em() -> int:
    from fontTools.ttLib import TTFont

    return TTFont(FONT_PATH)["head"].unitsPerEm


@lru_cache(maxsize=1)
def _liberation_widths() -> tuple[dict[int, int], int]:
    from fontTools.ttLib import TTFont

    font = TTFont(FONT_PATH)
    metrics = font["hmtx"].metrics
    widths = {code: metrics[name][0] for code, name in font.getBestCmap().items()}
    return widths, metrics[".notdef"][0]


def _page_box(pdf: bytes, page: int) -> tuple[float, float, float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[page].cropbox
    return float(box.left), float(box.bottom), float(box.right), float(box.top)


def _inside_page(pdf: bytes, page: int, x1: float, x2: float) -> tuple[float, float]:
    left, _, right, _ = _page_box(pdf, page)
    if x1 < left:
        x1, x2 = left, x2 + left - x1
    if x2 > right:
        x1, x2 = x1 - (x2 - right), right
    return x1, x2
