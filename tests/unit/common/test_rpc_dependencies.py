"""No synchronous RPC cycle between services: the graph of who calls whom over RPC, read
from each service's code, is exactly the layering of docs/architecture.md ("Who calls
whom, and why"): documents is the system of record and calls only storage and signing
(which calls storage); workflow orchestrates on top of documents; search reads documents
and storage; the exchange registers through documents, stores through storage and has
packages signed by signing; the gateway calls everyone. Events may flow any way; only RPCs
wait for an answer."""
import ast
import functools
import os

import pytest

SERVICES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "services")
#: The RPC proxies: ``TimedRpc("documents")``, nameko's ``RpcProxy("documents")``...
NAMED_PROXIES = {"TimedRpc", "RpcProxy", "ServiceRpcProxy"}
LAYERS = {
    "gateway": {"documents", "workflow", "search", "notify", "storage", "signing",
                "exchange"},
    "exchange": {"documents", "storage", "signing"},
    "workflow": {"documents"},
    "search": {"documents", "storage"},
    "documents": {"storage", "signing"},
    "signing": {"storage"},
    "notify": set(),
    "storage": set(),
    # the reference axis is a plain HTTP process (services/axis), no nameko service
    "axis": set(),
}


def services() -> list[str]:
    return sorted(name for name in os.listdir(SERVICES_DIR)
                  if name != "common" and os.path.isfile(
                      os.path.join(SERVICES_DIR, name, "__init__.py")))


def callee_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else \
        func.attr if isinstance(func, ast.Attribute) else ""


def rpc_targets(tree: ast.AST, known: set[str]) -> set[str]:
    """The services a module's code calls over RPC: the first argument of each named
    proxy, and the attributes taken of a ``ClusterRpcProxy``'s context
    (``with ClusterRpcProxy(config) as rpc: rpc.documents.…``)."""
    targets, cluster_names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and callee_name(node) in NAMED_PROXIES and node.args \
                and isinstance(node.args[0], ast.Constant):
            targets.add(node.args[0].value)
        if isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Call) and \
                callee_name(node.context_expr) == "ClusterRpcProxy" and \
                isinstance(node.optional_vars, ast.Name):
            cluster_names.add(node.optional_vars.id)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id in cluster_names and node.attr in known:
            targets.add(node.attr)
    return targets


@functools.cache
def rpc_graph() -> dict[str, frozenset[str]]:
    names = services()
    graph = {}
    for service in names:
        calls = set()
        for folder, _, files in os.walk(os.path.join(SERVICES_DIR, service)):
            for filename in (f for f in files if f.endswith(".py")):
                with open(os.path.join(folder, filename), encoding="utf-8") as handle:
                    calls |= rpc_targets(ast.parse(handle.read()), set(names))
        graph[service] = frozenset(calls - {service})
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle's path, each found once (from its smallest name)."""
    found = []

    def walk(start, node, path):
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                found.append(path + [start])
            elif nxt > start and nxt not in path:
                walk(start, nxt, path + [nxt])

    for start in sorted(graph):
        walk(start, start, [start])
    return found


def test_the_reader_finds_each_kind_of_proxy():
    code = ast.parse('a = TimedRpc("documents")\nb = RpcProxy("storage")\n'
                     'with ClusterRpcProxy(config) as rpc:\n    rpc.workflow.go()\n')
    assert rpc_targets(code, {"documents", "storage", "workflow"}) == {
        "documents", "storage", "workflow"}


def test_a_cycle_is_found_and_named():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles(LAYERS) == []


def test_there_is_no_rpc_cycle_between_services():
    found = cycles(rpc_graph())
    assert not found, "RPC cycles: " + "; ".join(" → ".join(cycle) for cycle in found)


@pytest.mark.parametrize("service", sorted(LAYERS))
def test_each_service_calls_over_rpc_only_the_services_below_it(service):
    assert rpc_graph()[service] == LAYERS[service]


def test_every_service_has_its_place_in_the_layering():
    assert set(services()) == set(LAYERS)
