from services.common.migrations import run_env
from services.search.models import metadata

run_env(metadata)
