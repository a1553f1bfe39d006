"""The services' own Prometheus metrics (services/common/metrics.py), read before and
after some requests: how many entrypoint calls of each kind (rpc, event, http, timer)
they cost and how long those took on the server. Benchmarks and the profile use it."""
from __future__ import annotations

import re
from collections import defaultdict

import requests

_SAMPLE = re.compile(r'^(\w+)\{([^}]*)\}\s+(\S+)$')
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def entrypoints(url: str) -> dict[tuple, dict[str, float]]:
    """{(service, entrypoint, kind, outcome): {"count": n, "seconds": total}} from one
    process's /metrics (empty if it does not answer)."""
    try:
        text = requests.get(url, timeout=10).text
    except requests.RequestException:
        return {}
    return parse(text)


def parse(text: str) -> dict[tuple, dict[str, float]]:
    """The entrypoint figures of one Prometheus text exposition (see ``entrypoints``)."""
    out: dict[tuple, dict[str, float]] = defaultdict(lambda: {"count": 0.0, "seconds": 0.0})
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if not match or not match.group(1).startswith("eoffice_entrypoint_latency_seconds_"):
            continue
        suffix = match.group(1).rsplit("_", 1)[1]
        if suffix not in ("count", "sum"):
            continue
        labels = dict(_LABEL.findall(match.group(2)))
        key = (labels.get("service"), labels.get("entrypoint"), labels.get("kind"),
               labels.get("outcome"))
        out[key]["count" if suffix == "count" else "seconds"] = float(match.group(3))
    return dict(out)


def snapshot(system) -> dict[tuple, dict[str, float]]:
    """Every service's and the gateway's entrypoint figures at this moment."""
    merged = {}
    for name in system.processes:
        if name in ("pki", "axis"):
            continue
        merged.update(entrypoints(system.metrics_url(name)))
    return merged


def diff(before: dict, after: dict) -> dict[tuple, dict[str, float]]:
    """What happened between two snapshots: the entrypoints called, with their count and
    server seconds."""
    out = {}
    for key, value in after.items():
        old = before.get(key, {"count": 0.0, "seconds": 0.0})
        count = value["count"] - old["count"]
        if count > 0:
            out[key] = {"count": count, "seconds": value["seconds"] - old["seconds"]}
    return out
