"""Running one kind's extractor in the test's own process: fast (no child process, no
nameko), and the same code the extraction child runs."""
from services.storage.extractors.job import run
from services.storage.extractors.limits import Limits, no_progress
from services.storage.extractors.result import Extraction


def read(module, path, kind=None, progress=no_progress, **limits) -> Extraction:
    """What ``module`` (an extractor module: pdf, images, docx, doc, odt, plain) makes
    of the file at ``path``; ``kind`` defaults to the module's own name, ``limits``
    are ``Limits`` fields."""
    kind = kind or module.__name__.rsplit(".", 1)[-1]
    return run(module.EXTRACTOR, str(path), kind, Limits(**limits), progress)
