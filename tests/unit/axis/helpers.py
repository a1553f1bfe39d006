"""What the axis tests share: the connected systems and agencies, and signed requests of one
system to the in-process app."""
import hashlib
import json

from werkzeug.test import Client

from services.exchange.axis_client import signed_headers

SYSTEM_1 = ("he-thong-1", "bi-mat-cua-he-thong-mot-0123456789")
SYSTEM_2 = ("he-thong-2", "bi-mat-cua-he-thong-hai-0123456789")
A = "000.00.00.G22"                             # Văn phòng Chính phủ (13 characters)
B = "H01.151.01"                                # a unit under a commune (post-2025 form)
C = "G12.000.18.001.002.003.004.005.0061"       # 35 characters, the longest allowed
COMMUNE = "H01.151"
UNSERVED = "000.00.00.H41"                      # in the directory, no system serves it

CONFIG = {
    "systems": [
        {"system_id": SYSTEM_1[0], "secret_key": SYSTEM_1[1], "organ_ids": [A]},
        {"system_id": SYSTEM_2[0], "secret_key": SYSTEM_2[1], "organ_ids": [B, C]},
    ],
    "agencies": [
        {"organ_id": A, "name": "Văn phòng Chính phủ", "email": "vpcp@chinhphu.vn"},
        {"organ_id": COMMUNE, "name": "Ủy ban nhân dân xã Thử Nghiệm"},
        {"organ_id": B, "name": "Văn phòng HĐND và UBND xã", "parent_id": COMMUNE},
        {"organ_id": C, "name": "Một đơn vị có mã định danh dài"},
        {"organ_id": UNSERVED, "name": "Ủy ban nhân dân tỉnh Nghệ An"},
    ],
}

MAX_SIZE = 64 * 1024


class Caller:
    """Signed requests of one system to the in-process app."""

    def __init__(self, client: Client, system):
        self.client = client
        self.system_id, self.secret = system

    def __call__(self, operation, params=None, body=b"", content_type="application/json",
                 secret=None):
        headers = signed_headers(self.system_id, secret or self.secret, params or {},
                                 content_type)
        return self.client.post(f"/{operation}", data=body, headers=headers)

    def ok(self, operation, params=None, **kwargs) -> dict:
        """The JSON answer of a request that must succeed."""
        response = self(operation, params, **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.json["status"] == "OK" and response.json["ErrorCode"] == "0"
        return response.json

    def send(self, from_organ, to_organs, data=b"<edXML/>", message_type="edoc", **extra):
        """sendEdoc; ``to_organs`` travels as a JSON array, as the SDK sends it."""
        params = {"from": from_organ, "to": json.dumps(to_organs), "servicetype": "eDoc",
                  "messagetype": message_type, "hash-file": hashlib.sha256(data).hexdigest(),
                  **extra}
        return self("sendEdoc", params, data, "application/octet-stream")
