"""The files check before a registration also tells what storage said of each file's
text, which documents passes on in document_registered (search asks storage only for a
text it may have)."""
from types import SimpleNamespace

import pytest

from services.common.errors import InvalidInput
from services.documents.file_entrypoints import FileEntrypoints

FILES = {"f-pending": {"status": "stored", "text_status": "pending", "uploaded_by": "clerk"},
         "f-ok": {"status": "stored", "text_status": "ok", "uploaded_by": "clerk"},
         "f-rejected": {"status": "rejected", "text_status": "pending",
                        "uploaded_by": "clerk"}}


class Checker(FileEntrypoints):
    identity = SimpleNamespace(system_token=lambda: "system")
    storage_rpc = SimpleNamespace(get_file=lambda token, file_id: FILES[file_id])


CLERK = SimpleNamespace(user_id="clerk")


def test_the_check_returns_each_stored_files_text_status_as_storage_said_it():
    assert Checker()._check_files(CLERK, ["f-pending", "f-ok"]) == {
        "f-pending": "pending", "f-ok": "ok"}
    assert Checker()._check_files(CLERK, []) == {}


def test_a_file_not_stored_is_still_refused():
    with pytest.raises(InvalidInput):
        Checker()._check_files(CLERK, ["f-ok", "f-rejected"])
