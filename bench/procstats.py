"""What the started system's processes cost, read from /proc (no psutil in the project):
CPU-seconds (their own, their finished children's, e.g. the extraction workers, and
their living descendants', e.g. storage's extraction fork server with its children) and
resident memory, of each process and of the whole system, plus a sampler for the peak
while a workload runs. Linux only; benchmarks and the profile use it."""
from __future__ import annotations

import os
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_parts(pid: int) -> tuple[float, float] | None:
    """(utime + stime, cutime + cstime) of ``pid`` in seconds: its own CPU and that of
    the children it has waited for (extraction workers and the tools they ran), or None
    if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14..17
    ticks = [int(value) for value in fields[11:15]]
    return (ticks[0] + ticks[1]) / TICKS, (ticks[2] + ticks[3]) / TICKS


def tree_cpu_parts(pid: int) -> tuple[float, float] | None:
    """(own, children) of ``pid`` as ``cpu_parts``, its children's part counting also
    its living descendants with their own finished children: storage's extraction fork
    server lives as long as storage, and the CPU of the children it forks (one per
    file) reaches storage's cutime only when it exits. None if ``pid`` is gone."""
    parts = cpu_parts(pid)
    if parts is None:
        return None
    own, children = parts
    for descendant in descendants(pid):
        theirs = cpu_parts(descendant)
        if theirs is not None:
            children += sum(theirs)
    return own, children


def cpu_seconds(pid: int) -> float | None:
    """All the CPU of ``pid``, of its finished children and of its living descendants
    (``tree_cpu_parts``), or None if it is gone."""
    parts = tree_cpu_parts(pid)
    return None if parts is None else sum(parts)


def rss_mib(pid: int, field: str = "VmRSS") -> float | None:
    """Resident size (or, with ``VmHWM``, its peak so far) of ``pid`` in MiB."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    """The living children of ``pid`` and theirs (an extraction worker and its pdftotext)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as handle:
                    children = [int(c) for c in handle.read().split()]
            except OSError:
                continue
            found.extend(children)
            todo.extend(children)
    return found


class Processes:
    """The system's processes by name (the launcher's ``System.processes``: the seven
    services, the gateway, the demo PKI and the reference axis)."""

    def __init__(self, pids: dict[str, int]):
        self.pids = dict(pids)

    @classmethod
    def of(cls, system) -> "Processes":
        return cls({name: process.pid for name, process in system.processes.items()})

    def cpu(self) -> dict[str, float]:
        return {name: cpu_seconds(pid) or 0.0 for name, pid in self.pids.items()}

    def rss(self) -> dict[str, float]:
        """Each process's resident MiB, its living children (an extraction under way)
        counted with it."""
        out = {}
        for name, pid in self.pids.items():
            out[name] = sum(rss_mib(p) or 0.0 for p in (pid, *descendants(pid)))
        return out

    def peak_rss(self) -> dict[str, float]:
        """Each process's own peak resident MiB since it started (VmHWM)."""
        return {name: rss_mib(pid, "VmHWM") or 0.0 for name, pid in self.pids.items()}


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: round(after.get(name, 0.0) - before.get(name, 0.0), 2) for name in before}


class MemorySampler:
    """Samples the processes' resident sizes every ``interval`` seconds in a thread
    while a workload runs: each one's peak and the peak of their sum."""

    def __init__(self, processes: Processes, interval: float = 0.25):
        self.processes, self.interval = processes, interval
        self.peak: dict[str, float] = {}
        self.peak_total = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            sizes = self.processes.rss()
            for name, size in sizes.items():
                self.peak[name] = max(self.peak.get(name, 0.0), size)
            self.peak_total = max(self.peak_total, sum(sizes.values()))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as uptime prints them."""
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def now_utc() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
