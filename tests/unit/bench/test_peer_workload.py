"""The peer workload's documents and figures (bench/peer_workload.py) and the profile's
readers (bench/scrape.py, bench/procstats.py): what the measurement rests on."""
import io
import os
import random

from pypdf import PdfReader

from bench import procstats, scrape
from bench.peer_workload import (VOCABULARY, document_lines, one_page_pdf, percentile,
                                 unique_token)


def test_a_peer_document_is_one_page_whose_text_layer_holds_its_tokens_and_120_vocabulary_words():
    lines = document_lines("ab12cd34", 7, random.Random("ab12cd34"))
    pdf = PdfReader(io.BytesIO(one_page_pdf(lines)))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert unique_token("ab12cd34", 7) == "uab12cd34x000007"
    assert "uab12cd34x000007" in text and "rab12cd34" in text
    words = " ".join(lines[3:]).split()
    assert len(words) == 120 and set(words) <= set(VOCABULARY)
    assert all(word in text for word in set(words))


def test_the_same_run_id_gives_the_same_documents_and_different_runs_differ():
    def words(run):
        rng = random.Random(run)
        return [document_lines(run, i, rng)[3:] for i in range(3)]
    assert words("run1") == words("run1")
    assert words("run1") != words("run2")
    assert len(VOCABULARY) == len(set(VOCABULARY)) == 42     # the kit's, whose README says 45


def test_percentile_interpolates_between_the_closest_ranks():
    values = [0.4, 0.1, 0.3, 0.2]
    assert percentile(values, 50) == 0.25
    assert abs(percentile(values, 95) - 0.385) < 1e-9
    assert percentile([0.7], 95) == 0.7


def test_the_entrypoint_figures_are_read_from_a_prometheus_exposition():
    text = "\n".join([
        "# HELP eoffice_entrypoint_latency_seconds Entrypoint latency",
        'eoffice_entrypoint_latency_seconds_bucket{entrypoint="get_text",kind="rpc",'
        'le="0.005",outcome="ok",service="storage"} 2.0',
        'eoffice_entrypoint_latency_seconds_count{entrypoint="get_text",kind="rpc",'
        'outcome="ok",service="storage"} 4.0',
        'eoffice_entrypoint_latency_seconds_sum{entrypoint="get_text",kind="rpc",'
        'outcome="ok",service="storage"} 0.05',
        'eoffice_entrypoint_calls_total{entrypoint="get_text",kind="rpc",outcome="ok",'
        'service="storage"} 4.0'])
    before = scrape.parse(text)
    assert before == {("storage", "get_text", "rpc", "ok"): {"count": 4.0, "seconds": 0.05}}
    after = {("storage", "get_text", "rpc", "ok"): {"count": 7.0, "seconds": 0.08},
             ("storage", "relay_outbox", "timer", "ok"): {"count": 1.0, "seconds": 0.001}}
    changed = scrape.diff(before, after)
    assert changed[("storage", "get_text", "rpc", "ok")]["count"] == 3.0
    assert abs(changed[("storage", "get_text", "rpc", "ok")]["seconds"] - 0.03) < 1e-9
    assert changed[("storage", "relay_outbox", "timer", "ok")]["count"] == 1.0


def test_a_process_cpu_and_memory_are_read_from_proc():
    own, children = procstats.cpu_parts(os.getpid())
    assert own > 0 and children >= 0
    assert procstats.rss_mib(os.getpid()) > 1
    assert procstats.rss_mib(os.getpid(), "VmHWM") >= procstats.rss_mib(os.getpid()) - 1
    assert procstats.cpu_parts(2 ** 22 + 1) is None


def test_a_living_descendants_cpu_is_counted_with_the_process_that_started_it():
    """Storage's extraction fork server lives as long as storage: the CPU of what it
    forks reaches storage's own counters only when it exits, so the profile adds the
    living descendants (here a child that burns CPU, then waits)."""
    import subprocess
    import sys
    import time

    burner = subprocess.Popen([sys.executable, "-c",
                               "import time\nend = time.process_time() + 0.3\n"
                               "while time.process_time() < end: pass\n"
                               "print('done', flush=True)\ntime.sleep(30)"],
                              stdout=subprocess.PIPE)
    try:
        assert burner.stdout.readline().strip() == b"done"
        time.sleep(0.05)
        own, finished = procstats.cpu_parts(os.getpid())
        tree_own, children = procstats.tree_cpu_parts(os.getpid())
        assert children - finished >= 0.25
        assert procstats.cpu_seconds(os.getpid()) >= tree_own + children - 0.05
    finally:
        burner.kill()
        burner.wait()
