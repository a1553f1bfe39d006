"""The nameko provider that gives each worker a CallerIdentity (kept apart from
identity.py so that module has no nameko import), and the start-up checks of the
secrets every process holds."""
from nameko.extensions import DependencyProvider

from services.common import token_keys
from services.common.config import refuse_default_secret, settings_of
from services.common.identity import CallerIdentity


def load_token_keys(container) -> token_keys.TokenKeys:
    """This process's token keys, after refusing the default secret: a process with
    no usable keys or with the well-known secret stops here, at start-up."""
    settings = settings_of(container)
    refuse_default_secret(settings)
    return token_keys.load(container.service_name, settings.keys_dir, settings.signing_key,
                           settings.public_keys)


class Identity(DependencyProvider):
    def setup(self):
        self.identity = CallerIdentity(load_token_keys(self.container),
                                       self.container.service_name)

    def get_dependency(self, worker_ctx):
        return self.identity
