"""OpenDocument text (.odt): ``content.xml`` parsed with defusedxml (no DTD, no entity
expansion) after the ZIP container is checked for a zip bomb: headings, paragraphs,
lists, tables, notes and text boxes in document order; comments and tracked changes
left out. A password-protected ODT fails as encrypted."""
from __future__ import annotations

from services.storage.extractors.job import Extractor, Job
from services.storage.extractors.sandbox import ExtractionFailed, open_zip, parse_xml

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_SKIP = {f"{{{_OFFICE}}}annotation", f"{{{_TEXT}}}tracked-changes",
         f"{{{_TEXT}}}sequence-decls", f"{{{_TEXT}}}variable-decls",
         f"{{{_TEXT}}}user-field-decls", f"{{{_OFFICE}}}forms",
         f"{{{_TEXT}}}note-citation", f"{{{_OFFICE}}}annotation-end"}


def read(job: Job) -> None:
    with open_zip(job.path, "ODT") as archive:
        names = set(archive.namelist())
        if "META-INF/manifest.xml" in names:
            with archive.open("META-INF/manifest.xml") as manifest:
                if b"encryption-data" in manifest.read(1 << 20):
                    raise ExtractionFailed("encrypted ODT: it cannot be opened without a "
                                           "password")
        if "content.xml" not in names:
            raise ExtractionFailed("not a valid ODT file: content.xml is missing")
        with archive.open("content.xml") as content:
            root = parse_xml(content, "ODT content.xml")
    body = root.find(f"{{{_OFFICE}}}body")
    text = body.find(f"{{{_OFFICE}}}text") if body is not None else None
    if text is None:
        raise ExtractionFailed("not an ODT text document: office:body/office:text is missing")
    for line in _blocks(text):
        if not job.text.add(line):
            return


EXTRACTOR = Extractor(read, in_one_go=True)


def _inline(element, nested: list[str]) -> str:
    """The text of a paragraph; paragraphs nested in it (notes, text boxes) go to
    ``nested``."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag in _SKIP:
            pass
        elif tag == f"{{{_TEXT}}}s":
            try:
                count = int(child.get(f"{{{_TEXT}}}c", "1"))
            except ValueError:
                count = 1
            parts.append(" " * min(max(count, 1), 100))
        elif tag == f"{{{_TEXT}}}tab":
            parts.append("\t")
        elif tag == f"{{{_TEXT}}}line-break":
            parts.append("\n")
        elif tag in (f"{{{_TEXT}}}note", f"{{{_DRAW}}}frame", f"{{{_DRAW}}}text-box"):
            nested.extend(_blocks(child))
        else:
            parts.append(_inline(child, nested))
        parts.append(child.tail or "")
    return "".join(parts)


def _rows(table):
    for child in table:
        if child.tag == f"{{{_TABLE}}}table-row":
            yield child
        elif child.tag in (f"{{{_TABLE}}}table-header-rows", f"{{{_TABLE}}}table-rows",
                           f"{{{_TABLE}}}table-row-group"):
            yield from _rows(child)


def _blocks(element):
    """Lines of text of the blocks under ``element``, in document order."""
    for child in element:
        tag = child.tag
        if tag in _SKIP:
            continue
        if tag in (f"{{{_TEXT}}}p", f"{{{_TEXT}}}h"):
            nested: list[str] = []
            yield _inline(child, nested)
            yield from nested
        elif tag == f"{{{_TABLE}}}table":
            for row in _rows(child):
                cells = [" ".join(line for line in _blocks(cell) if line.strip())
                         for cell in row if cell.tag == f"{{{_TABLE}}}table-cell"]
                if any(cell.strip() for cell in cells):
                    yield "\t".join(cells)
        else:
            yield from _blocks(child)
