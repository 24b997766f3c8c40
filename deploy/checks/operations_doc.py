"""docs/operations.md names every setting of settings.py and every metric."""

import ast
import sys
from collections.abc import Sequence
from pathlib import Path

from .metrics import defined_metrics

SETTINGS = Path("shared/src/gigalert_shared/settings.py")
DOC = Path("docs/operations.md")


def env_prefix(cls: ast.ClassDef) -> str | None:
    """GIGALERT_ plus the prefix given to `model_config = _config("PREFIX_")`, if any."""
    prefix = None
    for st in cls.body:
        if not (
            isinstance(st, ast.Assign)
            and isinstance(st.targets[0], ast.Name)
            and st.targets[0].id == "model_config"
        ):
            continue
        call = st.value
        if not (
            isinstance(call, ast.Call)
            and call.args
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
        ):
            raise ValueError(f'{cls.name}.model_config is not _config("PREFIX_")')
        prefix = "GIGALERT_" + call.args[0].value
    return prefix


def setting_names(source: str) -> list[str]:
    """The environment variable of every setting, nested settings classes left out."""
    names: list[str] = []
    for cls in [n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)]:
        prefix = env_prefix(cls)
        if prefix is None:
            continue
        for st in cls.body:
            if (
                isinstance(st, ast.AnnAssign)
                and isinstance(st.target, ast.Name)
                and st.target.id != "model_config"
                and not ast.unparse(st.annotation).endswith("Settings")
            ):
                names.append((prefix + st.target.id).upper())
    return names


def undocumented(doc: str, settings: list[str], metrics: set[str]) -> list[str]:
    return [n for n in settings if f"`{n}`" not in doc] + [
        m for m in sorted(metrics) if m not in doc
    ]


def main(argv: Sequence[str]) -> int:
    names = setting_names(SETTINGS.read_text())
    metrics = defined_metrics()
    missing = undocumented(DOC.read_text(), names, metrics)
    for m in missing:
        print(f"not in docs/operations.md: {m}")
    print(f"{len(names)} settings and {len(metrics)} metrics documented")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
