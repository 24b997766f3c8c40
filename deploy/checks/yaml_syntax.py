"""Every YAML file under deploy/k8s, and docker-compose.yml, parses."""

import sys
from collections.abc import Sequence
from pathlib import Path

import yaml


def yaml_files() -> list[Path]:
    return sorted([*Path("deploy/k8s").rglob("*.yaml"), Path("docker-compose.yml")])


def main(argv: Sequence[str]) -> int:
    bad = 0
    for f in yaml_files():
        try:
            list(yaml.safe_load_all(f.read_text()))
        except yaml.YAMLError as e:
            print(f"   {f}: {e}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
