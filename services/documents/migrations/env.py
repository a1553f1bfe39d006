from services.common.migrations import run_env
from services.documents.models import metadata

run_env(metadata)
