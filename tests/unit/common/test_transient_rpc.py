"""Every RPC entrypoint of every service replies with transient messages, and every
request a service sends through TimedRpc is transient (services/common/rpc.py): two
kinds of RPC consumer on one service's queue would take each other's calls."""
import importlib
import inspect

from nameko.constants import NON_PERSISTENT, PERSISTENT
from nameko.rpc import Rpc

from services.common.rpc import TimedRpc, TransientPublisher, TransientRpc
from tests.unit.common.test_rpc_dependencies import services


def service_classes():
    for name in services():
        try:
            module = importlib.import_module(f"services.{name}.service")
        except ModuleNotFoundError:   # the reference axis is no nameko service
            continue
        yield from (cls for _, cls in inspect.getmembers(module, inspect.isclass)
                    if getattr(cls, "name", None) == name)


def test_every_rpc_entrypoint_of_every_service_is_the_transient_kind():
    checked = 0
    for cls in service_classes():
        for attribute, member in inspect.getmembers(cls, callable):
            for entrypoint in getattr(member, "nameko_entrypoints", ()):
                if isinstance(entrypoint, Rpc):
                    assert isinstance(entrypoint, TransientRpc), (cls.name, attribute)
                    checked += 1
    assert checked > 100


def test_requests_through_timed_rpc_are_transient_unless_asked_otherwise():
    assert TimedRpc("documents").options["delivery_mode"] == NON_PERSISTENT
    assert TimedRpc("documents", delivery_mode=PERSISTENT).options["delivery_mode"] == \
        PERSISTENT
    assert TransientPublisher("memory://").delivery_mode == NON_PERSISTENT
