"""The gigalert metrics the services define, read from their metrics.py."""

import re
from pathlib import Path

METRIC_NAME = re.compile(r'"(gigalert_[a-z0-9_]+)"')


def defined_metrics(services: Path = Path("services")) -> set[str]:
    """Every quoted gigalert_* name in services/*/src/*/metrics.py."""
    names: set[str] = set()
    for module in services.glob("*/src/*/metrics.py"):
        names |= set(METRIC_NAME.findall(module.read_text()))
    return names
