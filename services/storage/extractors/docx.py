"""DOCX (Office Open XML): python-docx, paragraphs and tables in document order, a
table row as its cells separated by tabs. The ZIP container is checked for a zip bomb
first. (``import docx`` below is python-docx: this module is
``services.storage.extractors.docx``.)"""
from __future__ import annotations

from services.storage.extractors.job import Extractor, Job
from services.storage.extractors.sandbox import need_installed_packages, open_zip


def _text_of(element) -> str:
    return "".join(node.text or "" for node in element.iter() if node.tag.endswith("}t"))


def read(job: Job) -> None:
    need_installed_packages()
    import docx

    open_zip(job.path, "DOCX").close()
    body = docx.Document(job.path).element.body
    for block in body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            if not job.text.add(_text_of(block)):
                return
        elif tag == "tbl":
            for row in block.iter():
                if not row.tag.endswith("}tr"):
                    continue
                cells = [_text_of(cell) for cell in row.iter() if cell.tag.endswith("}tc")]
                if not job.text.add("\t".join(cells)):
                    return


EXTRACTOR = Extractor(read, in_one_go=True)
