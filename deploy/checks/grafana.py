"""A Grafana dashboard uses the datasource variable and only metrics the services define.

python -m checks.grafana DASHBOARD.json
"""

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .metrics import defined_metrics

QUERIED_METRIC = re.compile(r"\bgigalert_[a-z0-9_]+")
HISTOGRAM_SUFFIX = re.compile(r"_(bucket|sum|count)$")


def check(dashboard: dict[str, Any], defined: set[str]) -> tuple[list[str], str]:
    """The dashboard's problems, and a one-line summary."""
    errors: list[str] = []
    used: set[str] = set()
    ids: list[int] = []
    var = [
        v
        for v in dashboard.get("templating", {}).get("list", [])
        if v.get("type") == "datasource" and v.get("query") == "prometheus"
    ]
    if not var:
        errors.append("no Prometheus datasource variable")
    datasource = "${%s}" % (var[0]["name"] if var else "datasource")
    for p in dashboard["panels"]:
        ids.append(p["id"])
        if p["type"] == "row":
            continue
        if p.get("datasource", {}).get("uid") != datasource:
            errors.append(f"panel {p['title']!r} does not use the datasource variable")
        if not p.get("targets"):
            errors.append(f"panel {p['title']!r} has no query")
        for t in p.get("targets", []):
            used |= {HISTOGRAM_SUFFIX.sub("", m) for m in QUERIED_METRIC.findall(t["expr"])}
    if len(ids) != len(set(ids)):
        errors.append("duplicate panel ids")
    errors += [f"metric {m} is not defined in any metrics.py" for m in sorted(used - defined)]
    unused = ", ".join(sorted(defined - used)) or "none"
    summary = (
        f"{len(dashboard['panels'])} panels, {len(used)} gigalert metrics, all defined; "
        f"unused: {unused}"
    )
    return errors, summary


def main(argv: Sequence[str]) -> int:
    dashboard = json.loads(Path(argv[0]).read_text())
    errors, summary = check(dashboard, defined_metrics())
    for e in errors:
        print(e)
    print(summary)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
