"""The registry of extractors: which module reads which sniffed kind, and what it
answers for a kind nobody reads."""
import pytest

from services.storage.extraction import EXTRACTABLE_KINDS as WORKER_KINDS
from services.storage.extractors import (EXTRACTABLE_KINDS, MODULES, NOT_EXTRACTED_KINDS, doc,
                                         docx, extract, extractor_for, images, odt, pdf,
                                         plain)
from services.storage.extractors.result import Extraction
from services.storage.sniffing import EXTENSIONS, KINDS
from tests.unit.storage.samples import DOCX_FIXTURE, DOCX_WORD

EXPECTED = {"pdf": pdf, "docx": docx, "doc": doc, "odt": odt, "txt": plain,
            "png": images, "jpeg": images, "tiff": images}


@pytest.mark.parametrize("kind, module", sorted(EXPECTED.items()))
def test_each_kind_is_read_by_its_own_module(kind, module):
    assert extractor_for(kind) is module.EXTRACTOR


def test_every_kind_accepted_for_upload_is_either_extracted_or_known_not_to_be():
    assert EXTRACTABLE_KINDS == set(EXPECTED)
    assert EXTRACTABLE_KINDS | NOT_EXTRACTED_KINDS == set(KINDS)
    assert not EXTRACTABLE_KINDS & NOT_EXTRACTED_KINDS
    # every allowed extension reaches a kind the registry has an answer for
    assert {kind.name for kind in EXTENSIONS.values()} <= EXTRACTABLE_KINDS | NOT_EXTRACTED_KINDS


def test_the_service_asks_the_worker_for_exactly_the_registrys_kinds():
    assert WORKER_KINDS is EXTRACTABLE_KINDS


def test_only_images_are_all_ocr_and_only_paged_kinds_report_their_pages():
    assert {kind for kind in EXTRACTABLE_KINDS if extractor_for(kind).by_ocr} == {
        "png", "jpeg", "tiff"}
    assert {kind for kind in EXTRACTABLE_KINDS if extractor_for(kind).in_one_go} == {
        "docx", "doc", "odt", "txt"}


@pytest.mark.parametrize("kind", ["xls", "xlsx", "exe", "", "PDF"])
def test_a_kind_without_an_extractor_gives_none_without_opening_the_file(kind, tmp_path):
    assert extractor_for(kind) is None
    result = extract(str(tmp_path / "not-there"), kind)
    assert result == Extraction(status="none")
    assert (result.text, result.method, result.error, result.length) == ("", None, None, 0)


def test_a_known_kind_is_dispatched_and_gives_a_typed_result():
    progress = []
    result = extract(str(DOCX_FIXTURE), "docx",
                     progress=lambda done, total: progress.append((done, total)))
    assert isinstance(result, Extraction)
    assert (result.status, result.method, result.pages, result.truncated) == (
        "ok", "text", None, False)
    assert DOCX_WORD in result.text and result.length == len(result.text)
    assert progress == [(0, 1), (1, 1)]


def test_a_file_that_cannot_be_read_is_a_failed_result_not_an_exception(tmp_path):
    result = extract(str(tmp_path / "gone.pdf"), "pdf")
    assert result.status == "failed" and result.error.startswith("FileNotFoundError")
    broken = tmp_path / "cut.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    result = extract(str(broken), "png")
    assert result.status == "failed" and result.error


def test_the_registry_names_every_image_format_the_image_reader_reads():
    assert {kind for kind, module in MODULES.items() if module == "images"} == set(
        images.FORMATS)
