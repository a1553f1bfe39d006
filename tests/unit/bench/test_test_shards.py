"""How tests/run_parallel.py's processes share the suite (``--shard I/N``, dealt in
tests/conftest.py): a whole module to one process, so that a module's fixtures are made
once, and the processes' usual times close to one another."""
from tests.conftest import QUICK_TEST_SECONDS, shard_of_each


def test_every_test_of_a_module_goes_to_the_same_shard():
    nodeids = [f"tests/unit/m{m}/test_x.py::test_{t}" for m in range(7) for t in range(5)]
    shards = shard_of_each(nodeids, {}, 3)
    for module in range(7):
        assert len({shard for nodeid, shard in zip(nodeids, shards)
                    if nodeid.startswith(f"tests/unit/m{module}/")}) == 1


def test_the_longest_modules_are_dealt_first_to_the_least_loaded_shard():
    durations = {"a.py::t1": 50.0, "a.py::t2": 10.0, "b.py::t": 40.0, "c.py::t": 30.0,
                 "d.py::t": 25.0, "e.py::t": 5.0}
    nodeids = list(durations)
    shards = dict(zip(nodeids, shard_of_each(nodeids, durations, 2)))
    # a (60) → 0, b (40) → 1, c (30) → 1, d (25) → 0, e (5) → 1: 85 against 75
    assert [shards[n] for n in nodeids] == [0, 0, 1, 1, 0, 1]


def test_a_test_without_a_usual_time_counts_as_quick_and_the_deal_is_the_same_each_time():
    nodeids = [f"tests/e2e/test_{m}.py::test_{t}" for m in "pqrs" for t in range(3)]
    first = shard_of_each(nodeids, {}, 2)
    assert first == shard_of_each(list(nodeids), {}, 2)
    loads = [0.0, 0.0]
    for shard in first:
        loads[shard] += QUICK_TEST_SECONDS
    assert abs(loads[0] - loads[1]) < 1e-9
