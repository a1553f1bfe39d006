"""The nameko provider that gives each worker a CallerIdentity (kept apart from
identity.py so that module has no nameko import)."""
from nameko.extensions import DependencyProvider

from services.common.config import settings_of
from services.common.identity import CallerIdentity


class Identity(DependencyProvider):
    def setup(self):
        self.identity = CallerIdentity(settings_of(self.container).secret_key,
                                       self.container.service_name)

    def get_dependency(self, worker_ctx):
        return self.identity
