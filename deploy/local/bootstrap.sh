#!/usr/bin/env bash
# Installs what a fresh machine lacks: uv (from PyPI, pinned), Java and Maven for Kafka,
# PostgreSQL from Debian's packages, Chromium and the Noto CJK fonts (the web app's browser
# tests render Japanese pages); then the locked Python environment and htmx for the web app
# (from the npm registry, pinned and checked against its integrity). Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
UV_VERSION=0.13.8
# htmx for services/web (git-ignored; deploy/Dockerfile pins the same version and integrity).
HTMX_VERSION=2.0.11
HTMX_INTEGRITY=sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==
HTMX_DEST="$ROOT/services/web/src/gigalert_web/static/vendor/htmx.min.js"

need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_apt+=(maven)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
command -v runuser >/dev/null || need_apt+=(util-linux)
command -v curl >/dev/null || need_apt+=(curl ca-certificates)
command -v chromium >/dev/null || need_apt+=(chromium)
# (no `fc-list | grep -q`: with pipefail, grep quitting early can fail the pipeline)
grep -qi "Noto Sans CJK" <(fc-list 2>/dev/null) || dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
  || need_apt+=(fonts-noto-cjk)
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

# htmx: the npm registry's tarball, kept in .cache/, used only if its sha512 matches the pin.
htmx_ok() {  # htmx_ok FILE: the file's npm integrity is the pinned one
  [[ -f "$1" ]] && [[ "$(python3 -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$1")" == "$HTMX_INTEGRITY" ]]
}
htmx_tgz="$ROOT/.cache/htmx.org-$HTMX_VERSION.tgz"
if ! htmx_ok "$htmx_tgz"; then
  echo "[bootstrap] fetch htmx.org@$HTMX_VERSION from registry.npmjs.org" >&2
  mkdir -p "$ROOT/.cache"
  curl -fsSL --retry 3 -o "$htmx_tgz.part" "https://registry.npmjs.org/htmx.org/-/htmx.org-$HTMX_VERSION.tgz"
  if ! htmx_ok "$htmx_tgz.part"; then
    rm -f "$htmx_tgz.part"
    echo "[bootstrap] htmx.org-$HTMX_VERSION.tgz does not match $HTMX_INTEGRITY" >&2
    exit 1
  fi
  mv "$htmx_tgz.part" "$htmx_tgz"
fi
mkdir -p "$(dirname "$HTMX_DEST")"
tar -xzf "$htmx_tgz" -O package/dist/htmx.min.js >"$HTMX_DEST.part"
if cmp -s "$HTMX_DEST.part" "$HTMX_DEST"; then
  rm -f "$HTMX_DEST.part"
else
  mv "$HTMX_DEST.part" "$HTMX_DEST"
  echo "[bootstrap] htmx $HTMX_VERSION -> ${HTMX_DEST#"$ROOT"/}" >&2
fi
