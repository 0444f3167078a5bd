#!/usr/bin/env bash
# CI smoke of the benchmark (run by scripts/detour test): bench.sh --smoke, one round of a second or two
# per figure, without the peer (no Portkey from npm); about 2 minutes. Asserts only sanity, never
# absolute times: every table produced, a positive throughput, every open-loop request answered, no
# chunk lost.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$("$ROOT/scripts/bench/bench.sh" --smoke --no-peer | tail -1)"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
summary = open(out + "/summary.md").read()
tables = ["## 0.", "## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6.", "## 7.", "## Goals"]
missing = [t for t in tables if t not in summary]
assert not missing, f"tables missing from {out}/summary.md: {missing}"
wrk = json.load(open(out + "/raw/detour-wrk.json"))
assert wrk["rps"] > 0, f"no throughput through Detour: {wrk}"
open_loop = json.load(open(out + "/raw/r1-detour-open-1000.json"))
assert open_loop["ok"] > 0 and open_loop["unfinished"] == 0, f"open-loop requests unanswered through Detour: {open_loop['statuses']}"
stream = json.load(open(out + "/raw/r1-detour-stream.json"))
assert stream["ok"] > 0 and stream["streams"]["lost_chunks"] == 0, f"chunks lost through Detour: {stream['streams']}"
print(f"bench smoke: every table produced, {wrk['rps']:.0f} rps through Detour, every open-loop request answered, no chunk lost ({out})")
PY
