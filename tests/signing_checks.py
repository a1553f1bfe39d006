"""Checks of signed PDFs shared by the signing tests of every tier: where a signature field
sits, what poppler's pdfsig says (optionally trusting a root through an NSS database made
with certutil), and a page rendered with pdftoppm."""
from __future__ import annotations

import io
import os
import subprocess

from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader


def field_rect(pdf: bytes, name: str) -> tuple[int, tuple[float, float, float, float]]:
    """The page (0-based) and the rectangle of the signature or text field ``name``."""
    reader = PdfFileReader(io.BytesIO(pdf))
    for index in range(int(reader.root["/Pages"]["/Count"])):
        page = reader.find_page_for_modification(index)[0].get_object()
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/T") == name:
                x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
                return index, (x1, y1, x2, y2)
    raise AssertionError(f"no field {name}")


def nss_database(directory, root_pem_path: str) -> str:
    """An NSS database in ``directory`` that trusts ``root_pem_path`` for signatures, as
    pdfsig reads it (``-nssdir``)."""
    path = str(directory)
    os.makedirs(path, exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{path}", "--empty-password"], check=True,
                   capture_output=True, timeout=30)
    subprocess.run(["certutil", "-A", "-d", f"sql:{path}", "-n", "root", "-t", "CT,C,C",
                    "-i", root_pem_path], check=True, capture_output=True, timeout=30)
    return path


def pdfsig(pdf: bytes, tmp_path, nssdir: str | None = None) -> str:
    """pdfsig's report of ``pdf`` (it must exit 0)."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    command = ["pdfsig", *(["-nssdir", nssdir] if nssdir else []), str(path)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def render(pdf: bytes, tmp_path, page: int = 1, dpi: int = 100) -> Image.Image:
    """Page ``page`` (1-based) of ``pdf`` as pdftoppm draws it, in RGB."""
    path = tmp_path / "render.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png",
                    str(path), str(tmp_path / "page")], check=True, timeout=60)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    image.load()
    return image
