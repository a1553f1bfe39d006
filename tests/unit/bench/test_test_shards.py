"""How tests/run_parallel.py's processes share the suite (``deal``): a whole module to one
process, so that a module's fixtures are made once, and the processes' usual times close
to one another; each process is given its modules' paths, so it collects only those."""
from tests.run_parallel import QUICK_MODULE_SECONDS, deal, module_times, modules_under


def test_each_module_goes_to_exactly_one_process():
    times = {f"tests/unit/m{m}/test_x.py": float(m % 3) for m in range(7)}
    dealt = deal(times, 3)
    assert sorted(module for modules in dealt for module in modules) == sorted(times)


def test_the_longest_modules_are_dealt_first_to_the_least_loaded_process():
    times = {"a.py": 60.0, "b.py": 40.0, "c.py": 30.0, "d.py": 25.0, "e.py": 5.0}
    # a (60) → 0, b (40) → 1, c (30) → 1, d (25) → 0, e (5) → 1: 85 against 75
    assert deal(times, 2) == [["a.py", "d.py"], ["b.py", "c.py", "e.py"]]


def test_a_module_without_usual_times_counts_as_quick_and_the_deal_is_the_same_each_time():
    times = module_times([f"tests/e2e/test_{m}.py" for m in "pqrs"], {})
    assert set(times.values()) == {QUICK_MODULE_SECONDS}
    assert deal(times, 2) == deal(dict(reversed(list(times.items()))), 2)
    assert [len(modules) for modules in deal(times, 2)] == [2, 2]


def test_a_modules_usual_time_is_the_sum_of_its_tests_times():
    durations = {"tests/unit/test_a.py::test_one": 1.5,
                 "tests/unit/test_a.py::test_two[x]": 2.0,
                 "tests/unit/test_b.py::test_gone": 9.0}     # a module not there any more
    times = module_times(["tests/unit/test_a.py"], durations)
    assert times == {"tests/unit/test_a.py": 3.5 + QUICK_MODULE_SECONDS}


def test_the_modules_are_the_test_files_under_the_tiers_less_those_ignored():
    modules = modules_under(["tests/e2e"], ignore=("tests/e2e/test_federation.py",))
    assert modules and modules == sorted(modules)
    assert all(m.startswith("tests/e2e/") and m.rsplit("/", 1)[1].startswith("test_")
               and m.endswith(".py") for m in modules)
    assert "tests/e2e/test_federation.py" not in modules
    assert "tests/e2e/helpers.py" not in modules
