"""One set of token keys for a test run (services/common/token_keys.py), made once per
test process in a temporary directory: every service a test starts reads it
(KEYS_DIR in the test config), and tests mint tokens with TEST_KEYS."""
import atexit
import shutil
import tempfile

from services.common import token_keys

KEYS_DIR = tempfile.mkdtemp(prefix="eoffice-test-keys-")
token_keys.generate(KEYS_DIR)
atexit.register(shutil.rmtree, KEYS_DIR, True)


class TestSigners:
    """Signs each token as the real system would: a person's with the gateway's key, a
    service's own system token with that service's key. (A process holds one private
    key; only tests hold them all.)"""

    def __init__(self):
        self.keys = {name: token_keys.load(name, KEYS_DIR) for name in token_keys.SIGNERS}

    def signer_for(self, caller):
        name = caller.service if caller.system else token_keys.USER_TOKEN_SIGNER
        return self.keys.get(name, self.keys[token_keys.USER_TOKEN_SIGNER]).signer_for(caller)

    def public_key(self, signer):
        return self.keys[token_keys.USER_TOKEN_SIGNER].public_key(signer)

    def of(self, service: str) -> token_keys.TokenKeys:
        """The keys one service's process holds."""
        return self.keys[service]


TEST_KEYS = TestSigners()
