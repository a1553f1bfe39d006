from services.common.migrations import run_env
from services.storage.models import metadata

run_env(metadata)
