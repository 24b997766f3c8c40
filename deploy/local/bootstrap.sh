#!/usr/bin/env bash
# Installs what a fresh machine lacks: uv (from PyPI, pinned), Java and Maven for Kafka,
# PostgreSQL from Debian's packages; then the locked Python environment. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
UV_VERSION=0.13.8

need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_apt+=(maven)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
command -v runuser >/dev/null || need_apt+=(util-linux)
if (( ${#need_apt[@]} )); then
  echo "[bootstrap] apt-get install ${need_apt[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v uv >/dev/null || [[ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]]; then
  echo "[bootstrap] pip install uv==$UV_VERSION" >&2
  python3 -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
fi

cd "$ROOT"
# The machine's Python 3.11; uv never downloads an interpreter (pyproject: python-downloads).
UV_PYTHON_DOWNLOADS=never uv sync --frozen --all-packages --python 3.11 -q
