"""Rules the schemas cannot express, checked on one kustomize rendering.

python -m checks.k8s_policy NAME RENDERING.yaml   (NAME: base or the overlay's name)
"""

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# One object of the rendering as YAML gives it (kubeconform has checked its schema).
Manifest = dict[str, Any]
Kinds = dict[str, list[Manifest]]

SECRET = "gigalert-secrets"
GROUPS = {"matcher": {"matcher"}, "notifier": {"notifier"}}
SECRET_WORDS = ("DSN", "TOKEN", "PASSWORD", "SECRET")
DEFAULT_MAX_REPLICAS = 100  # KEDA's maxReplicaCount when unset


@dataclass(frozen=True)
class Verdict:
    errors: list[str]
    summary: str


def by_kind(docs: Sequence[Manifest]) -> Kinds:
    kinds: Kinds = {}
    for d in docs:
        kinds.setdefault(d["kind"], []).append(d)
    return kinds


def partitions(kinds: Kinds) -> int:
    """GIGALERT_KAFKA_PARTITIONS of the gigalert-config ConfigMap (6 when unset)."""
    cm = next(
        (
            d
            for d in kinds.get("ConfigMap", [])
            if d["metadata"]["name"].startswith("gigalert-config")
        ),
        None,
    )
    return int((cm or {}).get("data", {}).get("GIGALERT_KAFKA_PARTITIONS", "6"))


def autoscalers(kinds: Kinds, partitions: int) -> tuple[dict[str, list[str]], list[str]]:
    """Each autoscaled Deployment's autoscalers, and their problems."""
    owners: dict[str, list[str]] = {}
    errors: list[str] = []
    for so in kinds.get("ScaledObject", []):
        spec = so["spec"]
        target = spec["scaleTargetRef"]["name"]
        owners.setdefault(target, []).append(f"ScaledObject/{so['metadata']['name']}")
        most = spec.get("maxReplicaCount", DEFAULT_MAX_REPLICAS)
        if most > partitions:
            errors.append(
                f"ScaledObject/{target}: maxReplicaCount {most} > {partitions} partitions"
            )
        for t in spec.get("triggers", []):
            if t["type"] == "kafka":
                errors += kafka_trigger(target, t.get("metadata", {}))
    for hpa in kinds.get("HorizontalPodAutoscaler", []):
        target = hpa["spec"]["scaleTargetRef"]["name"]
        owners.setdefault(target, []).append(f"HorizontalPodAutoscaler/{hpa['metadata']['name']}")
        if hpa["spec"]["maxReplicas"] > partitions:
            errors.append(
                f"HorizontalPodAutoscaler/{target}: maxReplicas > {partitions} partitions"
            )
    for target, who in owners.items():
        if len(who) > 1:
            errors.append(f"Deployment/{target} has {len(who)} autoscalers: {', '.join(who)}")
    return owners, errors


def kafka_trigger(target: str, md: Mapping[str, Any]) -> list[str]:
    errors = [
        f"ScaledObject/{target}: kafka trigger without {key}"
        for key in ("consumerGroup", "topic", "lagThreshold")
        if key not in md
    ]
    if "bootstrapServers" not in md and "bootstrapServersFromEnv" not in md:
        errors.append(f"ScaledObject/{target}: kafka trigger without bootstrapServers")
    group = md.get("consumerGroup")
    if group not in GROUPS.get(target, {group}):
        errors.append(f"ScaledObject/{target}: consumerGroup {group!r} is not the service's")
    return errors


def selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def deployments(name: str, kinds: Kinds, owners: Mapping[str, list[str]]) -> list[str]:
    """Replicas, autoscaler, disruption budget, probes, resources and security context."""
    errors: list[str] = []
    pdbs = kinds.get("PodDisruptionBudget", [])
    for dep in kinds.get("Deployment", []):
        dn = dep["metadata"]["name"]
        tmpl = dep["spec"]["template"]
        spec = tmpl["spec"]
        if dn in owners and "replicas" in dep["spec"]:
            errors.append(
                f"Deployment/{dn}: spec.replicas is set but {owners[dn][0]} owns the count"
            )
        if name != "base" and dn in GROUPS and dn not in owners:
            errors.append(f"Deployment/{dn}: no autoscaler in this overlay")
        labels = tmpl["metadata"]["labels"]
        if not any(selects(p["spec"]["selector"]["matchLabels"], labels) for p in pdbs):
            errors.append(f"Deployment/{dn}: no PodDisruptionBudget")
        if not spec.get("securityContext", {}).get("runAsNonRoot"):
            errors.append(f"Deployment/{dn}: pod securityContext.runAsNonRoot is not true")
        for c in spec["containers"]:
            errors += container(f"Deployment/{dn}/{c['name']}", c)
    return errors


def container(where: str, c: Manifest) -> list[str]:
    errors: list[str] = []
    if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
        errors.append(f"{where}: livenessProbe is not GET /healthz")
    if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
        errors.append(f"{where}: readinessProbe is not GET /readyz")
    res = c.get("resources", {})
    for kind in ("requests", "limits"):
        if not {"cpu", "memory"} <= set(res.get(kind, {})):
            errors.append(f"{where}: resources.{kind} needs cpu and memory")
    sc = c.get("securityContext", {})
    if (
        sc.get("readOnlyRootFilesystem") is not True
        or sc.get("allowPrivilegeEscalation") is not False
    ):
        errors.append(
            f"{where}: needs readOnlyRootFilesystem true and allowPrivilegeEscalation false"
        )
    return errors


def secret_references(kinds: Kinds) -> list[str]:
    """Secrets come from gigalert-secrets only, never as literal values."""
    errors: list[str] = []
    for d in kinds.get("Deployment", []) + kinds.get("Job", []):
        what = f"{d['kind']}/{d['metadata']['name']}"
        spec = d["spec"]["template"]["spec"]
        for c in spec.get("initContainers", []) + spec["containers"]:
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref and ref["name"] != SECRET:
                    errors.append(f"{what}: secretKeyRef to {ref['name']}, not {SECRET}")
                if "value" in e and any(w in e["name"] for w in SECRET_WORDS):
                    errors.append(f"{what}: {e['name']} has a literal value")
    return errors


def routing(kinds: Kinds) -> list[str]:
    """The Services exist and the Ingress serves them over TLS."""
    errors: list[str] = []
    services = {s["metadata"]["name"] for s in kinds.get("Service", [])}
    errors += [f"no Service {n}" for n in ("ingest", "matcher", "web") if n not in services]
    ingresses = kinds.get("Ingress", [])
    if not ingresses:
        errors.append("no Ingress for web")
    for ing in ingresses:
        spec, iname = ing["spec"], f"Ingress/{ing['metadata']['name']}"
        tls_hosts = {
            h for t in spec.get("tls", []) for h in t.get("hosts", []) if t.get("secretName")
        }
        for rule in spec.get("rules", []):
            if rule.get("host") not in tls_hosts:
                errors.append(f"{iname}: host {rule.get('host')!r} has no TLS secret")
            for path in rule.get("http", {}).get("paths", []):
                backend = path["backend"].get("service", {}).get("name")
                if backend not in services:
                    errors.append(f"{iname}: backend Service {backend!r} does not exist")
    return errors


def check(name: str, docs: Sequence[Manifest]) -> Verdict:
    kinds = by_kind(docs)
    count = partitions(kinds)
    errors: list[str] = []
    if kinds.get("Secret"):
        errors.append(
            "the rendering contains a Secret: reference gigalert-secrets, commit no values"
        )
    owners, scaling = autoscalers(kinds, count)
    errors += scaling + deployments(name, kinds, owners) + secret_references(kinds)
    errors += routing(kinds)
    if not kinds.get("Job"):
        errors.append("no migration Job")
    objects = ", ".join(f"{len(v)} {k}" for k, v in sorted(kinds.items()))
    scaled = ", ".join(f"{t} by {w[0].split('/')[0]}" for t, w in sorted(owners.items()))
    return Verdict(errors, f"{name}: {objects}; partitions {count}; autoscaled: {scaled or 'none'}")


def main(argv: Sequence[str]) -> int:
    name, path = argv[0], Path(argv[1])
    verdict = check(name, [d for d in yaml.safe_load_all(path.read_text()) if d])
    for e in verdict.errors:
        print(f"POLICY: {e}")
    print(verdict.summary)
    return 1 if verdict.errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
