from services.common.migrations import run_env
from services.exchange.models import metadata

run_env(metadata)
