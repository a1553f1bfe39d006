"""Rules of accounts: the sign-in throttle, refresh-token rotation, the password policy
and argon2's parameters (issue 11, points 6 and 8)."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from argon2 import PasswordHasher

from services.documents import accounts, passwords

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)


def ago(*seconds):
    return [NOW - timedelta(seconds=s) for s in seconds]


def test_a_few_failures_do_not_throttle():
    assert accounts.throttle(ago(10, 5), [], NOW).allowed


def test_from_the_third_failure_the_next_try_waits_a_little_longer_each_time():
    third = accounts.throttle(ago(30, 20, 1), [], NOW)
    assert not third.allowed and not third.locked and third.retry_after == 1
    assert accounts.throttle(ago(30, 20, 3), [], NOW).allowed
    fourth = accounts.throttle(ago(30, 20, 10, 1), [], NOW)
    assert not fourth.allowed and fourth.retry_after == 3


def test_five_failures_within_fifteen_minutes_lock_the_account_for_fifteen_minutes():
    decision = accounts.throttle(ago(600, 300, 200, 100, 60), [], NOW)
    assert not decision.allowed and decision.locked
    assert decision.retry_after == 15 * 60 - 60
    # the lock runs from the last failure; failures older than the window do not count
    assert accounts.throttle(ago(3000, 2900, 2800, 2700, 950), [], NOW).allowed


def test_an_address_with_many_failures_over_any_accounts_is_locked():
    many = ago(*range(1, 21))
    decision = accounts.throttle([], many, NOW)
    assert not decision.allowed and decision.locked and decision.retry_after == 15 * 60 - 1
    assert accounts.throttle([], many[:19], NOW).allowed
    assert accounts.throttle([], many, NOW, address_limit=100).allowed


def row(**fields):
    return SimpleNamespace(**fields)


def test_a_fresh_refresh_token_of_an_open_session_is_exchanged():
    later = NOW + timedelta(hours=1)
    check = accounts.check_refresh(row(used_at=None, expires_at=later),
                                   row(revoked_at=None, expires_at=later), True, NOW)
    assert check.ok and not check.reuse


def test_a_refresh_token_used_before_is_reuse_which_revokes_the_session():
    later = NOW + timedelta(hours=1)
    check = accounts.check_refresh(row(used_at=NOW - timedelta(seconds=5), expires_at=later),
                                   row(revoked_at=None, expires_at=later), True, NOW)
    assert not check.ok and check.reuse


def test_refresh_is_refused_for_a_revoked_or_expired_session_or_an_inactive_user():
    later, earlier = NOW + timedelta(hours=1), NOW - timedelta(seconds=1)
    fresh = row(used_at=None, expires_at=later)
    assert accounts.check_refresh(fresh, row(revoked_at=earlier, expires_at=later), True,
                                  NOW).reason == "revoked"
    assert accounts.check_refresh(fresh, row(revoked_at=None, expires_at=earlier), True,
                                  NOW).reason == "expired"
    assert accounts.check_refresh(fresh, row(revoked_at=None, expires_at=later), False,
                                  NOW).reason == "inactive"
    assert accounts.check_refresh(None, None, True, NOW).reason == "unknown"


def test_the_password_policy():
    assert not accounts.password_problems("Mat-khau-2026", "lan").details
    assert "new_password" in accounts.password_problems("ngan", "lan").details
    assert "new_password" in accounts.password_problems("vanthu.stc2026", "vanthu.stc").details
    assert "new_password" in accounts.password_problems("aaaaaaaaaaaa", "lan").details
    assert "new_password" in accounts.password_problems(None, "lan").details


def test_secrets_are_stored_as_their_hash_and_temporary_passwords_pass_the_policy():
    secret = accounts.new_secret()
    assert len(secret) >= 40 and accounts.secret_hash(secret) != secret
    assert len(accounts.secret_hash(secret)) == 64
    temporary = accounts.temporary_password()
    assert not accounts.password_problems(temporary, "lan").details


def test_hashes_use_owasp_argon2_parameters_and_older_ones_are_to_be_rehashed():
    new = passwords.HASHER.hash("Mat-khau-2026")
    assert "m=19456,t=2,p=1" in new and not passwords.needs_rehash(new)
    old = PasswordHasher().hash("Mat-khau-2026")   # argon2-cffi's defaults: 64 MiB
    assert passwords.needs_rehash(old)
    assert passwords.verify_password(old, "Mat-khau-2026")
    assert not passwords.verify_password(None, "Mat-khau-2026")
