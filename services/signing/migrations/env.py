from services.common.migrations import run_env
from services.signing.models import metadata

run_env(metadata)
