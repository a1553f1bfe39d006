"""The search index as a nameko dependency: one backend per container, built from
SEARCH_URL when the container starts and closed when it stops."""
from nameko.extensions import DependencyProvider

from services.common.config import settings_of
from services.search.backends import open_backend


class SearchIndex(DependencyProvider):

    def setup(self):
        settings = settings_of(self.container)
        self.backend = open_backend(settings.search_url, settings.data_dir)

    def stop(self):
        self.backend.close()

    def kill(self):
        self.backend.close()

    def get_dependency(self, worker_ctx):
        return self.backend
