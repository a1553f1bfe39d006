"""PAdES signatures on outgoing documents, laid out as ND30 Phụ lục I asks (DOMAIN.md §1.13):

1. the signer signs with the blue image of their signature between the title line and their
   name (field ``chu_ky_nguoi_ky``); in the same revision, just before, two empty read-only text
   fields are added where the number ("Số: …") and the date line go;
2. numbering writes the number and date into those fields in an incremental update that is
   form filling only, so the signer's signature stays valid (pyHanko: FORM_FILLING, pdfsig:
   valid);
3. the organisation (văn thư) signs with the red seal at its actual size over the left third of
   the signer's image (field ``chu_ky_co_quan``), only on a document whose signer's signature is
   intact;
4. attachments and copies get the organisation's signature top right of page 1, text only.

Every signature can carry an RFC 3161 timestamp (PAdES B-T) and, given a validation context,
the chain and revocation data (B-LT). Network I/O goes through ``requests`` (not aiohttp), and
pyHanko's coroutines are driven here with ``asyncio.run`` on the calling thread, one at a time
(PYHANKO_LOCK), which is what works in an eventlet-patched process (nameko)."""
from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from fontTools import subset
from PIL import Image
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign._session_scope import run_and_release
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko.stamp import StaticStampStyle, TextStampStyle

from services.signing import placement
from services.signing.errors import SigningError
from services.signing.placement import MM, Box

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

SIGNER_FIELD = "chu_ky_nguoi_ky"
ORGANISATION_FIELD = "chu_ky_co_quan"
COPY_FIELD = "chu_ky_ban_sao"
NUMBER_FIELD = "so_ky_hieu"
DATE_FIELD = "ngay_ban_hanh"
TEXT_STAMP_SIZE = 10  # Phụ lục I: Times New Roman 10 pt for the text of box 14 and attachments
READ_ONLY = 1

# asyncio marks the running loop per OS thread, and eventlet's green threads share one: a green
# thread entering asyncio.run (here, or in pyHanko's sync wrappers) while another's loop waits
# on the network is refused ("asyncio.run() cannot be called from a running event loop"). So
# one pyHanko run at a time per process; the lock is eventlet's when the process is patched.
# Anything else calling pyHanko in the same process (verification) should take it too.
PYHANKO_LOCK = threading.Lock()


@dataclass(frozen=True)
class Timestamping:
    url: str | None = None  # the RFC 3161 TSA; None: no timestamp
    timeout: float = 10


def sign_as_signer(pdf: bytes, signer: signers.Signer, *, signer_name: str, image_png: bytes,
                   timestamping: Timestamping, validation_context=None,
                   now: datetime) -> bytes:
    """The competent person's signature (box 7c) with the image of their signature; the empty
    number and date fields go into the same revision, before the signature."""
    box = placement.signer_box(pdf, signer_name)
    number, date = placement.number_box(pdf), placement.date_box(pdf)
    writer = _writer(pdf)
    if number is not None:
        _add_text_field(writer, NUMBER_FIELD, number)
    if date is not None:
        _add_text_field(writer, DATE_FIELD, date)
    style = _image_style(image_png)
    return _sign(writer, signer, field=SIGNER_FIELD, box=box, style=style,
                 timestamping=timestamping, validation_context=validation_context, now=now)


def write_number_and_date(pdf: bytes, *, number_text: str, date_text: str) -> bytes:
    """Fills the fields the signer's revision made: ``number_text`` is the số và ký hiệu that
    follows "Số:" ("15/QĐ-UBND"), ``date_text`` the whole place and date line ("Ninh Bình, ngày
    15 tháng 01 năm 2026"), or the date alone ("ngày 15 tháng 01 năm 2026"), which then
    follows the place printed on the document's date line. Each value gets an appearance in
    Liberation Serif over a white ground that hides the blank line beneath. A field the
    document lacks is skipped."""
    if date_text.lower().startswith("ngày"):
        place = placement.date_place(pdf)
        date_text = f"{place}, {date_text}" if place else date_text
    writer = _writer(pdf)
    found = _text_fields(writer)
    if not found:
        raise SigningError(
            "no_number_fields",
            "Văn bản không có ô số và ngày ban hành để điền (chưa được người có thẩm quyền ký).",
            "The document has no number and date fields to fill (not signed by the signer yet).")
    for name, text, align in ((NUMBER_FIELD, number_text, "left"),
                              (DATE_FIELD, date_text, "centre")):
        if name in found:
            _fill_text_field(writer, found[name], text, align)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_as_organisation(pdf: bytes, signer: signers.Signer, *, seal_png: bytes,
                         seal_diameter_mm: float, timestamping: Timestamping,
                         validation_context=None, now: datetime) -> bytes:
    """The organisation's signature (box 8): the seal, at its actual size, over the left third
    of the signer's image. Refused unless the signer's signature is there, intact, and
    followed by nothing but form filling and signature data (ND30 Điều 33)."""
    signature_box = _intact_signer_box(pdf)
    seal_width = seal_diameter_mm * MM
    box = placement.seal_box(signature_box, seal_width)
    style = _image_style(seal_png)
    return _sign(_writer(pdf), signer, field=ORGANISATION_FIELD, box=box, style=style,
                 timestamping=timestamping, validation_context=validation_context, now=now)


def sign_attachment(pdf: bytes, signer: signers.Signer, *, organisation_name: str,
                    reference: str, timestamping: Timestamping, validation_context=None,
                    now: datetime) -> bytes:
    """An attachment in its own file (Phụ lục I §II.8.b): top right of page 1, no image; the
    số và ký hiệu of the document it belongs to, the organisation, the time (ISO 8601)."""
    lines = [reference, organisation_name, _iso_time(now)]
    return _sign_text_only(pdf, signer, lines, timestamping, validation_context, now,
                           ORGANISATION_FIELD)


def sign_copy(pdf: bytes, signer: signers.Signer, *, copy_form: str, organisation_name: str,
              timestamping: Timestamping, validation_context=None, now: datetime) -> bytes:
    """An electronic copy (SAO Y, SAO LỤC, TRÍCH SAO; Phụ lục I Phần II §I, box 14): top right
    of page 1, no image; the copy form, the copying organisation, the time (ISO 8601)."""
    lines = [copy_form, organisation_name, _iso_time(now)]
    return _sign_text_only(pdf, signer, lines, timestamping, validation_context, now,
                           COPY_FIELD)


# --- signing -------------------------------------------------------------------------------

def _sign(writer: IncrementalPdfFileWriter, signer: signers.Signer, *, field: str, box: Box,
          style, timestamping: Timestamping, validation_context, now: datetime,
          text_params: dict | None = None) -> bytes:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if field in {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}:
        raise SigningError("already_signed", f"Văn bản đã có chữ ký ở ô “{field}”.",
                           f"The document already has a signature in field “{field}”.")
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=validation_context is not None,
        validation_context=validation_context,
        use_pades_lta=False,
    )
    field_spec = fields.SigFieldSpec(
        sig_field_name=field, on_page=box.page,
        box=(box.x1, box.y1, box.x2, box.y2))
    timestamper = None
    if timestamping.url:
        timestamper = RequestsHTTPTimeStamper(timestamping.url, timeout=timestamping.timeout)
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper, stamp_style=style,
                                   new_field_spec=field_spec)
    # run_and_release: the validation context's fetchers are closed afterwards, as pyHanko's
    # own sync wrapper does.
    try:
        with PYHANKO_LOCK:
            return asyncio.run(run_and_release(
                _sign_async(pdf_signer, writer, now, text_params), validation_context))
    except OSError as exc:   # the time-stamping authority (requests' errors are OSErrors)
        if not timestamping.url:
            raise
        raise SigningError(
            "timestamp_unavailable",
            "Không lấy được dấu thời gian từ đơn vị cấp dấu thời gian; chưa ký. Hãy thử lại "
            "sau.",
            "The time-stamping authority did not answer; nothing was signed. Try again "
            "later.") from exc


def sign_raw(signer: signers.Signer, data: bytes) -> bytes:
    """A PKCS#1 v1.5 signature with SHA-256 of ``data`` by ``signer``'s key, wherever the
    key is (the HSM or a PKCS#12 file): what an XML signature (an edXML package's
    SignedInfo) needs."""
    with PYHANKO_LOCK:
        return asyncio.run(signer.async_sign_raw(data, "sha256"))


async def _sign_async(pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter,
                      now: datetime, text_params: dict | None) -> bytes:
    # pyHanko's PdfSigner.async_sign_pdf, with the signing time taken from ``now`` instead
    # of the clock (the CMS signing-time attribute and the signature's /M).
    session = pdf_signer.init_signing_session(writer)
    session.system_time = now
    validation_info = await session.perform_presign_validation(writer)
    bytes_reserved = await session.estimate_signature_container_size(validation_info)
    tbs = session.prepare_tbs_document(validation_info=validation_info,
                                       bytes_reserved=bytes_reserved,
                                       appearance_text_params=text_params)
    prepared, output = tbs.digest_tbs_document(output=io.BytesIO())
    post_signing = await tbs.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(
            signing_time=now,
            adobe_revinfo_attr=(None if validation_info is None
                                else validation_info.adobe_revinfo_attr)))
    await post_signing.post_signature_processing(output)
    return output.getvalue()


def _sign_text_only(pdf, signer, lines, timestamping, validation_context, now,
                    field: str) -> bytes:
    lines = [" ".join(line.split()) for line in lines if line and line.strip()]
    leading = round(TEXT_STAMP_SIZE * 1.1)
    height = leading * len(lines) + 4
    width = max(placement.text_width(line, TEXT_STAMP_SIZE) for line in lines) + 8
    box = placement.top_right_box(pdf, width, height)
    style = TextStampStyle(
        stamp_text="\n".join(line.replace("%", "%%") for line in lines),
        text_box_style=TextBoxStyle(
            font=LiberationSerif(placement.FONT_PATH, font_size=TEXT_STAMP_SIZE),
            font_size=TEXT_STAMP_SIZE, leading=leading,
            text_color=(0, 0, 0),
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MAX,
                y_align=layout.AxisAlignment.ALIGN_MAX)),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MAX, y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins(0, 0, 1, 1),
            inner_content_scaling=layout.InnerScaling.NO_SCALING),
        border_width=0, background=None)
    writer = _writer(pdf)
    # a file signed already (a copy of a signed document, of a copy) keeps its fields;
    # this signature takes the next free name
    taken = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    name, number = field, 1
    while name in taken:
        number += 1
        name = f"{field}_{number}"
    return _sign(writer, signer, field=name, box=box, style=style,
                 timestamping=timestamping, validation_context=validation_context, now=now)


def _image_style(png: bytes) -> StaticStampStyle:
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except Exception as exc:
        raise SigningError("bad_image", "Ảnh chữ ký hoặc con dấu không đọc được (cần PNG).",
                           "The signature or seal image cannot be read (PNG expected).") from exc
    if image.mode not in ("RGBA", "LA"):
        image = image.convert("RGBA")
    # No text, no border, the image fitted to the box with its proportions kept.
    return StaticStampStyle(
        background=PdfImage(image), background_opacity=1.0, border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT))


def _iso_time(now: datetime) -> str:
    return now.astimezone(VIETNAM).isoformat(timespec="seconds")


class _ThousandUnitAccumulator(GlyphAccumulator):
    """pyHanko 0.38 writes glyph widths (/W) and TJ adjustments in the font's own units,
    which PDF reads as thousandths of an em: right only for 1000-unit fonts. Liberation Serif
    has 2048 units per em, so here HarfBuzz measures in thousandths and widths are scaled."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._font_units = self.units_per_em
        self.units_per_em = 1000
        self.hb_font.scale = (1000, 1000)

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        known = self._glyphs.get(glyph_id)
        if known is not None:
            return known
        cid, width = super()._get_cid_and_width(glyph_id)
        self._glyphs[glyph_id] = scaled = (cid, round(width * 1000 / self._font_units))
        return scaled

    def _extract_subset(self, options=None):
        # pyHanko's default options, less the FontForge timestamp table fontTools cannot
        # subset (it would log a warning at every signature).
        options = subset.Options(layout_closure=False)
        options.drop_tables += ["GPOS", "GDEF", "GSUB", "FFTM"]
        super()._extract_subset(options)


@dataclass(frozen=True)
class LiberationSerif(GlyphAccumulatorFactory):
    """The factory of :class:`_ThousandUnitAccumulator` (the font for all visible text)."""

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        with open(self.font_file, "rb") as handle:
            font_handle = io.BytesIO(handle.read())
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return _ThousandUnitAccumulator(
            writer=writer, font_handle=font_handle, font_size=self.font_size,
            obj_stream=obj_stream)


# --- the signer's signature, checked before the organisation signs ---------------------------

@contextlib.contextmanager
def _quiet(logger_name: str):
    """The logger's warnings muted for the block (callers hold PYHANKO_LOCK)."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _intact_signer_box(pdf: bytes) -> Box:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    refused = SigningError(
        "no_signer_signature",
        "Văn bản chưa có chữ ký số còn nguyên vẹn của người có thẩm quyền ký; văn thư chỉ ký số "
        "cơ quan lên văn bản đã được người có thẩm quyền ký (Nghị định 30/2020/NĐ-CP, Điều 33).",
        "The document has no intact signature of the competent signer; the organisation signs "
        "only documents the competent person has signed (Decree 30/2020, art. 33).")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signature = next((s for s in reader.embedded_regular_signatures
                          if s.field_name == SIGNER_FIELD), None)
        if signature is None:
            raise refused
        # Integrity and what changed after it; whether the certificate is trusted is the
        # verification module's question.
        # The signer's own certificate as the anchor: no path building, no network. Its
        # timestamp's authority cannot chain to that anchor, which pyHanko logs with a
        # traceback each time; it does not bear on this check, so that is kept quiet.
        with PYHANKO_LOCK, _quiet("pyhanko"):
            status = validate_pdf_signature(
                signature, ValidationContext(trust_roots=[signature.signer_cert],
                                             allow_fetching=False))
        level = status.modification_level
        if not (status.intact and status.valid and status.docmdp_ok and level is not None
                and level <= ModificationLevel.FORM_FILLING):
            raise refused
        widget = signature.sig_field
        if "/Rect" not in widget:
            widget = widget["/Kids"][0].get_object()
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        page = _page_index(reader, widget)
    except SigningError:
        raise
    except Exception as exc:
        raise refused from exc
    return Box(page, min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _page_index(reader: PdfFileReader, field: generic.DictionaryObject) -> int:
    page_ref = field.raw_get("/P") if "/P" in field else None
    for index in range(reader.root["/Pages"]["/Count"]):
        ref = reader.find_page_for_modification(index)[0]
        if page_ref is not None and ref.reference == page_ref.reference:
            return index
        if page_ref is None and any(
                a.get_object() is field for a in ref.get_object().get("/Annots", [])):
            return index
    return 0


# --- the number and date fields ------------------------------------------------------------

def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except Exception as exc:
        raise SigningError("unreadable_pdf", "Tệp PDF không đọc được.",
                           "The PDF cannot be read.") from exc


def _add_text_field(writer: IncrementalPdfFileWriter, name: str, box: Box) -> None:
    """An empty read-only text field whose widget sits at ``box``, with an empty appearance."""
    form = _acroform(writer)
    page_ref = writer.find_page_for_modification(box.page)[0]
    width, height = box.width, box.height
    empty = generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): _array([0, 0, width, height])}, stream_data=b"")
    field = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/FT"): pdf_name("/Tx"),
        pdf_name("/T"): generic.TextStringObject(name),
        pdf_name("/Ff"): generic.NumberObject(READ_ONLY),
        pdf_name("/F"): generic.NumberObject(4),  # print
        pdf_name("/Rect"): _array([box.x1, box.y1, box.x2, box.y2]),
        pdf_name("/P"): page_ref,
        pdf_name("/DA"): generic.TextStringObject(f"/Helv {_font_size(box):g} Tf 0 g"),
        pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): writer.add_object(empty)}),
    })
    field_ref = writer.add_object(field)
    form["/Fields"].append(field_ref)
    writer.register_annotation(page_ref, field_ref)


def _acroform(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    root = writer.root
    if "/AcroForm" not in root:
        root["/AcroForm"] = writer.add_object(generic.DictionaryObject({
            pdf_name("/Fields"): generic.ArrayObject()}))
        writer.update_root()
    form_ref = root.raw_get("/AcroForm")
    form = form_ref.get_object()
    if isinstance(form_ref, generic.IndirectObject):
        writer.mark_update(form_ref)
    else:
        writer.update_root()
    if "/Fields" not in form:
        form["/Fields"] = generic.ArrayObject()
    fields_ref = form.raw_get("/Fields")
    if isinstance(fields_ref, generic.IndirectObject):
        writer.mark_update(fields_ref)
    # /DA names /Helv: give it in the form's default resources.
    resources = form.setdefault("/DR", generic.DictionaryObject())
    fonts = resources.get_object().setdefault("/Font", generic.DictionaryObject())
    if "/Helv" not in fonts.get_object():
        fonts.get_object()["/Helv"] = writer.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name("/Helvetica"),
            pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding")}))
        for ref in (resources, fonts):
            if isinstance(ref, generic.IndirectObject):
                writer.mark_update(ref)
    return form


def _text_fields(writer: IncrementalPdfFileWriter) -> dict[str, generic.IndirectObject]:
    form = writer.root.get("/AcroForm")
    if form is None:
        return {}
    found = {}
    for ref in form.get_object().get("/Fields", []):
        field = ref.get_object()
        if field.get("/FT") == "/Tx" and field.get("/T") in (NUMBER_FIELD, DATE_FIELD):
            found[str(field["/T"])] = ref
    return found


def _fill_text_field(writer: IncrementalPdfFileWriter, field_ref: generic.IndirectObject,
                     text: str, align: str) -> None:
    field = field_ref.get_object()
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    width, height = abs(x2 - x1), abs(y2 - y1)
    size = _font_size(Box(0, 0, 0, width, height))
    text = " ".join(text.split())
    engine = LiberationSerif(placement.FONT_PATH, font_size=size).create_font_engine(writer)
    shaped = engine.shape(text)
    advance = shaped.x_advance * size
    x = 0.0 if align == "left" else max(0.0, (width - advance) / 2)
    baseline = (height - 1.12 * size) / 2 + 0.22 * size  # as placement measured the line
    content = b" ".join([
        b"/Tx BMC q",
        b"1 g 0 0 %g %g re f" % (width, height),  # hide the blank "ngày … tháng …" beneath
        b"BT /F1 %g Tf 0 g %g %g Td" % (size, x, baseline), shaped.graphics_ops, b"ET",
        b"Q EMC"])
    appearance = generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): _array([0, 0, width, height]),
        pdf_name("/Resources"): generic.DictionaryObject({
            pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): engine.as_resource()})}),
    }, stream_data=content)
    field["/V"] = generic.TextStringObject(text)
    field["/AP"] = generic.DictionaryObject({pdf_name("/N"): writer.add_object(appearance)})
    writer.mark_update(field_ref)


def _font_size(box: Box) -> float:
    # placement's boxes are 1.12 em tall plus 1 pt above and below
    return round(min(max((box.height - 2) / 1.12, 8), 16), 1)


def _array(numbers) -> generic.ArrayObject:
    return generic.ArrayObject(generic.FloatObject(round(n, 3)) for n in numbers)


