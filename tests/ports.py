"""Ports for the servers the tests start (a demo PKI, an SMTP or LDAP server, an OpenID
provider, a storage service's HTTP), with no other import: the browser runner, which
must not load eventlet, imports it through tests/directory_servers.py."""
from __future__ import annotations

import random
import socket


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port() -> int:
    """A free port below the kernel's ephemeral range (32768 up) and below the blocks of
    the started systems (tests/system.py, 20000 up): a port the kernel hands out (a bind
    to port 0) is one outgoing connections use too, and one took it while a test's server
    was still being prepared ("Address already in use")."""
    for _ in range(200):
        port = random.randrange(10000, 20000)
        if port_is_free(port):
            return port
    raise RuntimeError("no free port")
