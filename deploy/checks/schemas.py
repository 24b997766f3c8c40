"""Kubernetes and KEDA JSON schemas for kubeconform, written to DEST.

python -m checks.schemas DEST K8S_VERSION

Kubernetes: kubernetes-validate's bundle, whose references point at
https://kubernetes.io/api/…, rewritten to the files beside them. KEDA: the pydantic model
cloudcoil generates from KEDA's CRD, as a strict JSON schema.
"""

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import kubernetes_validate
from cloudcoil.models.keda.v1alpha1 import ScaledObject


def local_references(schema: dict[str, object]) -> str:
    """The schema as JSON, its references to kubernetes.io made relative."""
    schema.pop("$id", None)
    return json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')


def forbid_extra_properties(node: object) -> None:
    """Every object schema that lists its properties accepts no others (in place)."""
    if isinstance(node, dict):
        if (
            node.get("type") == "object"
            and "properties" in node
            and "additionalProperties" not in node
        ):
            node["additionalProperties"] = False
        for value in node.values():
            forbid_extra_properties(value)
    elif isinstance(node, list):
        for value in node:
            forbid_extra_properties(value)


def write_kubernetes(dest: Path, version: str) -> str | None:
    """Writes the strict schemas of VERSION; the reason when the bundle lacks them."""
    bundle = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    src = bundle / f"v{version}-local-strict"
    if not src.is_dir():
        return f"kubernetes-validate has no schemas for {version}: " + ", ".join(
            sorted(p.name for p in bundle.iterdir())
        )
    out = dest / src.name
    out.mkdir(parents=True, exist_ok=True)
    for f in src.glob("*.json"):
        (out / f.name).write_text(local_references(json.loads(f.read_text())))
    (out / ".ready").touch()
    return None


def write_keda(dest: Path) -> None:
    crds = dest / "crds"
    crds.mkdir(parents=True, exist_ok=True)
    schema: dict[str, object] = ScaledObject.model_json_schema(by_alias=True, mode="validation")
    forbid_extra_properties(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    (crds / "scaledobject-keda-v1alpha1.json").write_text(json.dumps(schema))
    (crds / ".ready").touch()


def main(argv: Sequence[str]) -> int:
    dest, version = Path(argv[0]), argv[1]
    if problem := write_kubernetes(dest, version):
        print(problem, file=sys.stderr)
        return 1
    write_keda(dest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
