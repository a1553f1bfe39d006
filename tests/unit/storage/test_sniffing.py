"""What the storage service accepts: the extension names a kind, the bytes must be it."""
import shutil

import pytest

from services.common.errors import InvalidInput, UnsupportedType
from services.storage.sniffing import (EXTENSIONS, clean_filename, kind_for_filename,
                                       sniff)
from tests.unit.storage.samples import make_samples


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return make_samples(tmp_path_factory.mktemp("samples"))


@pytest.mark.parametrize("ext", sorted(EXTENSIONS))
def test_each_allowed_kind_is_accepted_when_its_content_matches(samples, ext, tmp_path):
    """A file whose bytes are what its extension claims is accepted as that kind."""
    named = tmp_path / f"Văn bản đến.{ext.upper() if ext == 'pdf' else ext}"
    shutil.copy(samples[ext], named)
    assert sniff(str(named), named.name) is EXTENSIONS[ext]


def test_a_pdf_renamed_docx_is_rejected(samples, tmp_path):
    """A PDF named .docx is not a ZIP with word/document.xml: 415, not stored."""
    path = tmp_path / "quyet_dinh.docx"
    shutil.copy(samples["pdf"], path)
    with pytest.raises(UnsupportedType) as caught:
        sniff(str(path), path.name)
    assert caught.value.status == 415
    assert caught.value.details["expected"] == "docx"


def test_a_docx_renamed_xlsx_is_rejected(samples, tmp_path):
    """Being a ZIP is not enough: the parts must be the claimed format's."""
    path = tmp_path / "bang.xlsx"
    shutil.copy(samples["docx"], path)
    with pytest.raises(UnsupportedType):
        sniff(str(path), path.name)


def test_a_zip_without_the_odt_mimetype_is_rejected(samples, tmp_path):
    path = tmp_path / "van_ban.odt"
    shutil.copy(samples["xlsx"], path)
    with pytest.raises(UnsupportedType):
        sniff(str(path), path.name)


@pytest.mark.parametrize("ext", ["doc", "png", "jpg", "tiff", "pdf"])
def test_text_renamed_to_a_binary_kind_is_rejected(ext, tmp_path):
    path = tmp_path / f"gia_mao.{ext}"
    path.write_text("Đây không phải tệp nhị phân.", encoding="utf-8")
    with pytest.raises(UnsupportedType):
        sniff(str(path), path.name)


def test_text_with_a_nul_byte_is_rejected(tmp_path):
    """Plain text must be valid UTF-8 without NUL: a binary file named .txt is refused."""
    path = tmp_path / "ghi_chu.txt"
    path.write_bytes("Ghi chú".encode() + b"\x00" + "tiếp".encode())
    with pytest.raises(UnsupportedType) as caught:
        sniff(str(path), path.name)
    assert caught.value.details["content"] == "contains_nul_bytes"


def test_text_that_is_not_utf8_is_rejected(tmp_path):
    path = tmp_path / "cp1258.txt"
    path.write_bytes("Công văn".encode("utf-16"))
    with pytest.raises(UnsupportedType):
        sniff(str(path), path.name)


def test_a_utf8_character_split_across_read_chunks_is_still_valid_text(tmp_path):
    path = tmp_path / "dai.txt"
    path.write_bytes(b"a" * 65535 + "đ".encode() * 10)   # "đ" straddles the 64 KiB boundary
    assert sniff(str(path), path.name).name == "txt"


@pytest.mark.parametrize("name", ["virus.exe", "trang.html", "khong_duoi", "anh.svg"])
def test_an_extension_outside_the_list_is_unsupported(name):
    with pytest.raises(UnsupportedType) as caught:
        kind_for_filename(name)
    assert "pdf" in caught.value.details["allowed"]


def test_a_file_name_keeps_only_its_last_path_component():
    assert clean_filename("  C:\\Users\\vt\\Công văn 12.pdf ") == "Công văn 12.pdf"
    assert clean_filename("../../etc/passwd.txt") == "passwd.txt"


@pytest.mark.parametrize("name", ["", "   ", None, 12, "a" * 252 + ".pdf", "bad\x00.pdf",
                                  "dir/", ".."])
def test_a_missing_or_malformed_file_name_is_invalid_input(name):
    with pytest.raises(InvalidInput) as caught:
        clean_filename(name)
    assert caught.value.status == 400
    assert "filename" in caught.value.details
