import time

import jwt
import pytest

from services.common.errors import Unauthenticated
from services.common.identity import Caller, Membership, mint_token, system_caller, verify_token

SECRET = "unit-test-secret"


def a_clerk():
    return Caller(user_id="u1", username="vanthu", full_name="Văn thư",
                  memberships=(Membership("unit-a", "clerk"),), clearance="confidential")


def test_a_minted_token_verifies_back_to_the_same_caller():
    assert verify_token(mint_token(a_clerk(), SECRET, 60), SECRET) == a_clerk()


def test_a_token_signed_with_another_key_is_refused():
    with pytest.raises(Unauthenticated):
        verify_token(mint_token(a_clerk(), "another-key", 60), SECRET)


def test_an_expired_token_is_refused_with_a_message_saying_so():
    token = jwt.encode({"sub": "u1", "username": "x", "exp": int(time.time()) - 5}, SECRET,
                       algorithm="HS256")
    with pytest.raises(Unauthenticated) as caught:
        verify_token(token, SECRET)
    assert "expired" in caught.value.message_en


def test_a_token_whose_claims_were_edited_is_refused():
    header, payload, signature = mint_token(a_clerk(), SECRET, 60).split(".")
    forged = jwt.encode({"sub": "u1", "username": "x", "system": True,
                         "exp": int(time.time()) + 60}, "guess", algorithm="HS256")
    with pytest.raises(Unauthenticated):
        verify_token(".".join([header, forged.split(".")[1], signature]), SECRET)


def test_clearance_levels_are_ordered_from_none_to_top_secret():
    caller = a_clerk()
    assert caller.cleared_for("none") and caller.cleared_for("confidential")
    assert not caller.cleared_for("secret") and not caller.cleared_for("top_secret")


def test_a_system_caller_is_marked_as_such():
    assert system_caller("search").system and not a_clerk().system
