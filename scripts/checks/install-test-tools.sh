#!/usr/bin/env bash
# Installs what the tests drive besides the JVM: the official openai SDK for Node.js (pinned by
# router/src/test/node/package-lock.json), and PyYAML for the Kubernetes manifest's check.
# Idempotent and quick when already installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

command -v node >/dev/null || { echo "detour: Node.js 20 or later is needed for the SDK tests" >&2; exit 1; }
command -v npm >/dev/null || { echo "detour: npm is needed for the SDK tests" >&2; exit 1; }
sdk="$ROOT/router/src/test/node"
if [[ ! -d "$sdk/node_modules/openai" || "$sdk/package-lock.json" -nt "$sdk/node_modules/.package-lock.json" ]]; then
  echo "detour: installing the openai SDK for the compatibility tests (npm ci)..." >&2
  (cd "$sdk" && npm ci --no-audit --no-fund --loglevel=error)
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "detour: installing PyYAML for the Kubernetes manifest's check (apt-get python3-yaml)..." >&2
  apt-get install -y python3-yaml >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y python3-yaml >/dev/null; }
fi
