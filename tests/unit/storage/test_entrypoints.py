"""The storage service's entrypoints with their providers replaced (nameko's
worker_factory): fast, no broker or database. The service's clock decides every
expiry; its timers' intervals come from config."""
from datetime import datetime, timezone
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

from nameko.testing.services import worker_factory

from services.common.clock import VietnamClock
from services.common.identity import Caller
from services.common.timers import ConfiguredTimer
from services.storage import models, signing
from services.storage.service import StorageService

FROZEN = "2026-03-10T13:00:00+07:00"      # 06:00 UTC
FILE_ID = "6f1c2a3e-0000-4000-8000-000000000001"
UPLOADER = Caller(user_id="u-vanthu-01", username="vanthu01", full_name="Văn Thư")


def stored_row(**fields):
    return SimpleNamespace(**{"file_id": FILE_ID, "status": models.STORED,
                              "uploaded_by": UPLOADER.user_id, **fields})


def service_with(row):
    service = worker_factory(StorageService, clock=VietnamClock(FROZEN))
    service.identity.caller.return_value = UPLOADER
    service.settings.storage_public_url = "http://127.0.0.1:8105"
    service.settings.secret_key = "test-secret"
    session = service.db.read.return_value.__enter__.return_value
    session.execute.return_value.first.return_value = row
    return service


def test_a_download_url_expires_five_minutes_after_the_services_clock():
    service = service_with(stored_row())
    answer = service.get_download_url("token", FILE_ID)
    assert answer["expires_at"] == "2026-03-10T06:05:00+00:00"
    query = {k: v[0] for k, v in parse_qs(urlsplit(answer["url"]).query).items()}
    expires = int(datetime(2026, 3, 10, 6, 5, tzinfo=timezone.utc).timestamp())
    assert int(query["expires"]) == expires
    assert signing.verify("test-secret", "GET", FILE_ID, query["expires"],
                          query["signature"], now=expires) == expires


def timer_of(method):
    (entrypoint,) = getattr(StorageService, method).nameko_entrypoints
    return entrypoint


def test_the_storage_timers_are_named_in_config_with_their_old_intervals():
    retry, expiry = timer_of("retry_pending_extractions"), timer_of("remove_expired_reservations")
    assert isinstance(retry, ConfiguredTimer) and isinstance(expiry, ConfiguredTimer)
    assert (retry.setting, retry.interval) == ("upload_retry_scan", 30)
    assert (expiry.setting, expiry.interval) == ("upload_expiry_scan", 60)


def test_reservations_expire_by_the_services_clock():
    """The sweep deletes what expired ten minutes before the (frozen) clock's now."""
    service = service_with(None)
    session = service.db.transaction.return_value.__enter__.return_value
    session.execute.return_value.rowcount = 2
    assert service.remove_expired_reservations() == 2
    (statement,), _ = session.execute.call_args
    cutoffs = [value for value in statement.compile().params.values()
               if isinstance(value, datetime)]
    assert cutoffs == [datetime(2026, 3, 10, 5, 50, tzinfo=timezone.utc)]
