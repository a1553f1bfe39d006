"""Real directory servers for the sign-in tests, started and stopped by the tests:
OpenLDAP's slapd (Debian's package) with a throw-away mdb database, and an OpenID
provider (the oidc-provider npm package, tests/fixtures/oidc) on Node."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

from tests.ports import free_port

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
OIDC_DIR = os.path.join(FIXTURES, "oidc")

LDAP_SUFFIX = "dc=tayninh,dc=gov,dc=vn"
LDAP_ADMIN_DN = f"cn=admin,{LDAP_SUFFIX}"
LDAP_ADMIN_PASSWORD = "admin-pass-0123"
LDAP_PEOPLE = f"ou=people,{LDAP_SUFFIX}"
LDAP_GROUPS = f"ou=groups,{LDAP_SUFFIX}"
#: uid → (cn, mail, password, groups)
LDAP_USERS = {
    "an.nv": ("Nguyễn Văn An", "an.nv@tayninh.gov.vn", "mat-khau-an-2026", ["phong-cntt"]),
    "binh.tt": ("Trần Thị Bình", "binh.tt@tayninh.gov.vn", "mat-khau-binh-2026",
                ["phong-cntt", "van-thu"]),
    "cuong.lv": ("Lê Văn Cường", "cuong.lv@tayninh.gov.vn", "mat-khau-cuong-2026", []),
    "dung.pt": ("Phạm Thị Dung", "dung.pt@tayninh.gov.vn", "mat-khau-dung-2026", []),
    "giang.ht": ("Hoàng Thu Giang", "giang.ht@tayninh.gov.vn", "mat-khau-giang-2026", []),
}


def _wait_port(port: int, process: subprocess.Popen, what: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port}")


def _ldif() -> str:
    entries = [f"dn: {LDAP_SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\n"
               f"dc: tayninh\no: UBND tinh Tay Ninh\n",
               f"dn: {LDAP_PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
               f"dn: {LDAP_GROUPS}\nobjectClass: organizationalUnit\nou: groups\n"]
    for uid, (cn, mail, password, _groups) in LDAP_USERS.items():
        entries.append(f"dn: uid={uid},{LDAP_PEOPLE}\nobjectClass: inetOrgPerson\n"
                       f"uid: {uid}\ncn:: {_b64(cn)}\nsn: {uid}\nmail: {mail}\n"
                       f"userPassword: {password}\n")
    groups = sorted({g for *_, gs in LDAP_USERS.values() for g in gs})
    for group in groups:
        members = "".join(f"member: uid={uid},{LDAP_PEOPLE}\n"
                          for uid, (*_, gs) in LDAP_USERS.items() if group in gs)
        entries.append(f"dn: cn={group},{LDAP_GROUPS}\nobjectClass: groupOfNames\n"
                       f"cn: {group}\n{members}")
    return "\n".join(entries)


def _b64(text: str) -> str:
    import base64
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class Slapd:
    """A throw-away OpenLDAP server on 127.0.0.1 (its own dir, config and mdb database),
    seeded with LDAP_USERS and their groups."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="eoffice-slapd-")
        self.port = free_port()
        self.url = f"ldap://127.0.0.1:{self.port}/"
        self.process = None

    def start(self):
        os.makedirs(os.path.join(self.dir, "data"))
        config = os.path.join(self.dir, "slapd.conf")
        with open(config, "w") as handle:
            handle.write(f"""
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {self.dir}/slapd.pid
database mdb
maxsize 10485760
suffix "{LDAP_SUFFIX}"
rootdn "{LDAP_ADMIN_DN}"
rootpw {LDAP_ADMIN_PASSWORD}
directory {self.dir}/data
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by anonymous auth
""")
        # -d 0: stay in the foreground (the test stops it) without debug output.
        self.process = subprocess.Popen(
            ["slapd", "-f", config, "-h", self.url, "-d", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        _wait_port(self.port, self.process, "slapd")
        subprocess.run(["ldapadd", "-x", "-H", self.url, "-D", LDAP_ADMIN_DN,
                        "-w", LDAP_ADMIN_PASSWORD], input=_ldif().encode("utf-8"),
                       check=True, capture_output=True, timeout=30)
        return self

    def stop(self):
        _stop(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)


def _stop(process):
    """Terminate a test server, killing it if it does not end within 10 s."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ensure_oidc_packages():
    """npm ci of the provider's pinned packages, once per machine (node_modules is not
    committed)."""
    if not os.path.isdir(os.path.join(OIDC_DIR, "node_modules", "oidc-provider")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True,
                       capture_output=True, timeout=300)


class OidcProvider:
    """The oidc-provider package on 127.0.0.1 with one client and the given accounts
    ({sub: claims})."""

    def __init__(self, client_id: str, client_secret: str, redirect_uris: list[str],
                 accounts: dict):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, PORT=str(self.port), CLIENT_ID=client_id,
                        CLIENT_SECRET=client_secret, REDIRECT_URIS=",".join(redirect_uris),
                        ACCOUNTS=json.dumps(accounts), NODE_ENV="test")
        self.process = None

    def start(self):
        ensure_oidc_packages()
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(["node", "provider.mjs"], cwd=OIDC_DIR, env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        _wait_port(self.port, self.process, "the OpenID provider")
        return self

    def stop(self):
        _stop(self.process)
