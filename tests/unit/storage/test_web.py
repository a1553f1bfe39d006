"""HTTP helpers: download names, streamed bodies, the caller's language."""
import io

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.common.errors import TooLarge
from services.common.http import error_response, language_of
from services.storage.web import StreamBody, content_disposition


def test_a_download_name_has_an_ascii_fallback_and_the_exact_utf8_name():
    """RFC 6266/5987: old clients get a folded ASCII name, others the real one."""
    header = content_disposition('Đơn "khiếu nại"; số 5.pdf')
    assert header.startswith('attachment; filename="Don _khieu nai__ so 5.pdf"; ')
    assert header.endswith("filename*=UTF-8''%C4%90%C6%A1n%20%22khi%E1%BA%BFu%20n%E1%BA%A1i"
                           "%22%3B%20s%E1%BB%91%205.pdf")


def test_a_streamed_body_yields_chunks_and_closes_its_reader_once():
    class Reader(io.BytesIO):
        closes = 0

        def close(self):
            Reader.closes += 1
            super().close()

    body = StreamBody(Reader(b"abcdefgh"), chunk_size=3)
    assert list(body) == [b"abc", b"def", b"gh"]
    body.close()
    body.close()
    assert Reader.closes == 1


def test_the_language_follows_accept_language_and_defaults_to_vietnamese():
    def request(header):
        headers = {"Accept-Language": header} if header is not None else {}
        return Request(EnvironBuilder(headers=headers).get_environ())
    assert language_of(request(None)) == "vi"
    assert language_of(request("en-GB,en;q=0.9")) == "en"
    assert language_of(request("vi-VN,vi;q=0.9,en;q=0.5")) == "vi"
    assert language_of(request("fr")) == "vi"


def test_an_error_becomes_the_json_envelope_with_its_status():
    response = error_response(TooLarge("Quá lớn.", "Too large.", {"limit": 10}), "en")
    assert response.status_code == 413
    assert response.get_json() == {"error": "TOO_LARGE", "message": "Too large.",
                                   "details": {"limit": 10}}
