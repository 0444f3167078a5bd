#!/usr/bin/env python3
"""Writes summary.md (and summary.json) from a scripts/detour bench results folder: raw/*.json, meta.json.

Every table is written even when a figure is missing (shown as "n/a"); the verdicts are goals, not gates.
"""
import glob
import json
import os
import statistics
import sys

OUT = sys.argv[1]
RAW = os.path.join(OUT, "raw")
meta = json.load(open(os.path.join(OUT, "meta.json")))
TARGETS = ["detour"] + (["peer"] if meta["peer"] else [])
NAMES = {"direct": "direct (simulator)", "detour": "Detour", "peer": "Portkey 1.15.2"}
ROUNDS = range(1, meta["rounds"] + 1)


def load(name):
    try:
        with open(os.path.join(RAW, name + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def dig(d, *keys):
    for k in keys:
        if d is None:
            return None
        d = d.get(k) if isinstance(d, dict) else None
    return d


def fmt(v, digits=3, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.{digits}f}{unit}"
    return f"{v}{unit}"


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def spread(values):
    values = [v for v in values if v is not None]
    return f"{min(values):.3f}..{max(values):.3f}" if values else "n/a"


lines = []
facts = {}
out = lines.append
kind = ("SMOKE run (--smoke: seconds of load, one rate each; sanity only)" if meta.get("smoke")
        else "QUICK run (--quick: short rounds, fewer rates)" if meta["quick"] else "full run")
out(f"# Detour benchmark: {kind}\n")
out(f"- commit `{meta['sha']}`, {meta['rounds']} measured round(s) after a discarded warm-up, "
    f"{meta['seconds']} s in all; direct, Detour and the peer interleaved in each round")
out(f"- machine: {meta['nproc']} cores, {meta['cpu']}, {meta['mem_total']} RAM; {meta['java']}; "
    f"{meta['wrk']}; node {meta.get('node') or 'n/a'}")
out(f"- load average before / after: `{meta['load_before']}` / `{meta['load_after']}`")
out(f"- placement: {meta['placement']}")
out(f"- JVM flags: router `{meta['router_jvm']}`; simulator `{meta['simulator_jvm']}`; driver `{meta['driver_jvm']}`")
out(f"- Detour: `detour.http.max-in-flight = {meta['max_in_flight']}`, per provider `max-connections = "
    f"{meta['provider_max_connections']}`, `max-open-requests = {meta['provider_max_open_requests']}`; "
    "logging at the production default (one INFO line per request, async appender, to a file)")
out(f"- peer: {meta.get('peer_version') or 'not run'}"
    + (", fallback config (two `openai` targets, `custom_host` = the simulator) in `x-portkey-config`" if meta["peer"] else ""))
out("- tools: closed-loop throughput by `wrk` (1 thread, 32 connections); every other figure by "
    "`detour.bench.NioLoadDriver` for non-streamed calls (open loop, one thread, NIO, keep-alive HTTP/1.1, HdrHistogram, latency from the intended send time; at most 256 connections, as wrk, the overload on 4,096) and "
    "`detour.bench.LoadDriver` for streams (open loop, JDK HttpClient); "
    "CPU and RSS from /proc/<pid> of the router or peer\n")
verdicts = []


def verdict(goal, ok, figure):
    verdicts.append((goal, "n/a" if ok is None else ("met" if ok else "NOT met"), figure))


# ---- 0. simulator ceiling ----
out("## 0. The simulator's own ceiling (instant answers, 1.4 KB)\n")
out("| target | wrk closed-loop rps | p50 ms | p99 ms | errors |")
out("|---|---|---|---|---|")
for t in ["direct"] + TARGETS:
    w = load(f"{t}-wrk")
    out(f"| {NAMES[t]} | {fmt(dig(w, 'rps'), 0)} | {fmt(dig(w, 'p50_ms'))} | {fmt(dig(w, 'p99_ms'))} | {fmt(dig(w, 'errors'))} |")
sim_rps = dig(load("direct-wrk"), "rps")
best = max([dig(load(f"{t}-wrk"), "rps") or 0 for t in TARGETS] or [0])
facts["throughput_rps"] = dig(load("detour-wrk"), "rps")
if sim_rps and best and sim_rps < 2 * best:
    out(f"\n**Caveat:** the simulator's ceiling ({sim_rps:.0f} rps, sharing core 1 with wrk) is below twice "
        f"what a gateway reached ({best:.0f} rps): throughput figures may be bounded by the upstream and the load "
        "generator, not by the gateway.\n")
else:
    out("")

# ---- 1. added latency ----
out("## 1. Added latency at one request in flight (200 rps open loop, instant upstream)\n")
out("Added = the gateway's percentile minus direct's, per round; the median of rounds and their spread (min..max).\n")
out("| body | through | p50 ms | p99 ms | p99.9 ms | added p50 ms | added p99 ms | added p99.9 ms | added p99 spread |")
out("|---|---|---|---|---|---|---|---|---|")
for body in ["small", "large"]:
    if load(f"r1-direct-lat1-{body}") is None:
        continue
    for t in ["direct"] + TARGETS:
        row = {}
        for q in ["p50", "p99", "p999"]:
            vals = [dig(load(f"r{r}-{t}-lat1-{body}"), "latency_ms", q) for r in ROUNDS]
            row[q] = med(vals)
            if t != "direct":
                added = [None if v is None or d is None else v - d for v, d in
                         zip(vals, [dig(load(f"r{r}-direct-lat1-{body}"), "latency_ms", q) for r in ROUNDS])]
                row["a" + q] = med(added)
                row["s" + q] = spread(added)
        label = "1.4 KB" if body == "small" else "10 KB"
        if t == "direct":
            out(f"| {label} | {NAMES[t]} | {fmt(row['p50'])} | {fmt(row['p99'])} | {fmt(row['p999'])} | | | | |")
        else:
            out(f"| {label} | {NAMES[t]} | {fmt(row['p50'])} | {fmt(row['p99'])} | {fmt(row['p999'])} | "
                f"{fmt(row['ap50'])} | {fmt(row['ap99'])} | {fmt(row['ap999'])} | {row['sp99']} |")
            if body == "small":
                facts[f"{t}_added_p50"], facts[f"{t}_added_p99"] = row["ap50"], row["ap99"]
out("")
a50, a99 = facts.get("detour_added_p50"), facts.get("detour_added_p99")
verdict("added latency p50 <= 0.3 ms and p99 <= 1 ms at one in flight",
        None if a50 is None or a99 is None else (a50 <= 0.3 and a99 <= 1), f"p50 {fmt(a50)} ms, p99 {fmt(a99)} ms")

# ---- 2. throughput ----
out("## 2. Throughput on one gateway core (instant upstream, 1.4 KB)\n")
out("Open-loop search: rates tried in turn, each for a short round; the highest with p99 < 5 ms and errors < 0.1 %.\n")
out("| through | wrk closed-loop rps | highest open-loop rate passing | its p99 ms | first failing rate | its p99 ms | its error rate | driver lag max ms |")
out("|---|---|---|---|---|---|---|---|")
for t in ["direct"] + TARGETS:
    passed = failed = None
    for rate in meta["search_rates"]:
        d = load(f"{t}-search-{rate}")
        if d is None:
            break
        if d["latency_ms"]["p99"] < 5 and d["error_rate"] < 0.001:
            passed = (rate, d)
        else:
            failed = (rate, d)
            break
    facts[f"{t}_slo_rate"] = passed[0] if passed else None
    lag = max([dig(load(f"{t}-search-{r}"), "send_lag_max_ms") or 0 for r in meta["search_rates"]])
    out(f"| {NAMES[t]} | {fmt(dig(load(f'{t}-wrk'), 'rps'), 0)} | {passed[0] if passed else 'none'} | "
        f"{fmt(passed[1]['latency_ms']['p99']) if passed else 'n/a'} | {failed[0] if failed else 'none failed'} | "
        f"{fmt(failed[1]['latency_ms']['p99']) if failed else 'n/a'} | {fmt(failed[1]['error_rate'], 4) if failed else 'n/a'} | {fmt(lag, 1)} |")
out("\nThe search stops at the last rate of its list; \"none failed\" means the gateway passed every rate tried.\n")
r = facts.get("detour_slo_rate")
verdict(">= 5,000 rps on one router core with p99 under 5 ms", None if r is None and facts.get("throughput_rps") is None else (r or 0) >= 5000,
        f"{r or 'no'} rps passed (wrk closed loop: {fmt(facts.get('throughput_rps'), 0)} rps)")

# ---- 3. open loop against 60 ms ----
out("## 3. Open loop against a 60 ms upstream (1.4 KB)\n")
out("| rate | through | achieved rps | success | p50 ms | p99 ms | added p50 ms | added p99 ms | added p99 spread | gateway CPU % of a core | gateway RSS MB | driver lag max ms |")
out("|---|---|---|---|---|---|---|---|---|---|---|---|")
for rate in meta["open_rates"]:
    for t in ["direct"] + TARGETS:
        runs = [load(f"r{r}-{t}-open-{rate}") for r in ROUNDS]
        direct = [load(f"r{r}-direct-open-{rate}") for r in ROUNDS]
        p50 = med([dig(d, "latency_ms", "p50") for d in runs])
        p99 = med([dig(d, "latency_ms", "p99") for d in runs])
        succ = med([dig(d, "success_rate") for d in runs])
        if t == "direct":
            out(f"| {rate} | {NAMES[t]} | {fmt(med([dig(d, 'achieved_rps') for d in runs]), 0)} | {fmt(None if succ is None else 100 * succ, 2, ' %')} | "
                f"{fmt(p50)} | {fmt(p99)} | | | | | | {fmt(max([dig(d, 'send_lag_max_ms') or 0 for d in runs]), 1)} |")
            continue
        a50 = [None if a is None or b is None else a - b for a, b in
               zip([dig(d, "latency_ms", "p50") for d in runs], [dig(d, "latency_ms", "p50") for d in direct])]
        a99 = [None if a is None or b is None else a - b for a, b in
               zip([dig(d, "latency_ms", "p99") for d in runs], [dig(d, "latency_ms", "p99") for d in direct])]
        cpu = med([dig(d, "process", "cpu_percent_of_one_core") for d in runs])
        rss = med([dig(d, "process", "rss_max_kb") for d in runs])
        out(f"| {rate} | {NAMES[t]} | {fmt(med([dig(d, 'achieved_rps') for d in runs]), 0)} | {fmt(None if succ is None else 100 * succ, 2, ' %')} | "
            f"{fmt(p50)} | {fmt(p99)} | {fmt(med(a50))} | {fmt(med(a99))} | {spread(a99)} | {fmt(cpu, 0)} | "
            f"{fmt(None if rss is None else rss / 1024, 0)} | {fmt(max([dig(d, 'send_lag_max_ms') or 0 for d in runs]), 1)} |")
        facts[f"{t}_open_{rate}"] = (succ, med(a99))
out("")
top = max(meta["open_rates"])
s, a = facts.get(f"detour_open_{top}", (None, None))
if top >= 5000:
    verdict("100 % success with added p99 <= 2 ms at 5,000 rps against a 60 ms upstream",
            None if s is None or a is None else (s == 1.0 and a <= 2), f"success {fmt(None if s is None else 100 * s, 2)} %, added p99 {fmt(a)} ms")
else:
    verdict("100 % success with added p99 <= 2 ms at 5,000 rps against a 60 ms upstream", None,
            f"not measured in this run (highest rate {top} rps: success {fmt(None if s is None else 100 * s, 2)} %, added p99 {fmt(a)} ms)")

# ---- 4. streaming ----
out("## 4. Streaming\n")
out("50 streams/s, 20 chunks 20 ms apart, first token after 50 ms upstream; added = gateway minus direct, per round, median of rounds.\n")
out("| through | TTFT p50 ms | TTFT p99 ms | added TTFT p50 ms | added TTFT p99 ms | gap p99 ms | added gap p99 ms | chunks received / expected | lost chunks |")
out("|---|---|---|---|---|---|---|---|---|")
for t in ["direct"] + TARGETS:
    runs = [load(f"r{r}-{t}-stream") for r in ROUNDS]
    direct = [load(f"r{r}-direct-stream") for r in ROUNDS]
    def added(key, q):
        return med([None if dig(a, "streams", key, q) is None or dig(b, "streams", key, q) is None else
                    dig(a, "streams", key, q) - dig(b, "streams", key, q) for a, b in zip(runs, direct)])
    rec = sum(dig(d, "streams", "chunks_received") or 0 for d in runs)
    exp = sum(dig(d, "streams", "chunks_expected") or 0 for d in runs)
    lost = sum(dig(d, "streams", "lost_chunks") or 0 for d in runs) + 20 * sum((dig(d, "intended") or 0) - (dig(d, "ok") or 0) for d in runs)
    facts[f"{t}_lost"] = lost
    if t == "direct":
        out(f"| {NAMES[t]} | {fmt(med([dig(d, 'streams', 'ttft_ms', 'p50') for d in runs]))} | {fmt(med([dig(d, 'streams', 'ttft_ms', 'p99') for d in runs]))} | | | "
            f"{fmt(med([dig(d, 'streams', 'gap_ms', 'p99') for d in runs]))} | | {rec} / {exp} | {lost} |")
    else:
        facts[f"{t}_ttft_p99"] = added("ttft_ms", "p99")
        out(f"| {NAMES[t]} | {fmt(med([dig(d, 'streams', 'ttft_ms', 'p50') for d in runs]))} | {fmt(med([dig(d, 'streams', 'ttft_ms', 'p99') for d in runs]))} | "
            f"{fmt(added('ttft_ms', 'p50'))} | {fmt(added('ttft_ms', 'p99'))} | {fmt(med([dig(d, 'streams', 'gap_ms', 'p99') for d in runs]))} | "
            f"{fmt(added('gap_ms', 'p99'))} | {rec} / {exp} | {lost} |")
out("\nConcurrent slow streams: N streams opened within 1 s, each 20 chunks 250 ms apart (5 s long), so all N are open at once; "
    "a stream stalls when a gap exceeds 1 s or it ends short.\n")
out("| N | through | streams completed | stalled | lost chunks | max gap ms | TTFT p99 ms | gateway RSS max MB |")
out("|---|---|---|---|---|---|---|---|")
for n in meta["stream_steps"]:
    for t in ["direct"] + TARGETS:
        d = load(f"{t}-streams-{n}")
        lost = None if d is None else d["streams"]["lost_chunks"] + 20 * (d["intended"] - d["ok"])
        ok = None if d is None else (d["ok"] == d["intended"] and d["streams"]["stalled_streams"] == 0 and lost == 0)
        if ok and t != "direct":
            facts[f"{t}_streams_ok"] = max(facts.get(f"{t}_streams_ok", 0), n)
        rss = dig(d, "process", "rss_max_kb")
        out(f"| {n} | {NAMES[t]} | {fmt(dig(d, 'ok'))} / {fmt(dig(d, 'intended'))} | {fmt(dig(d, 'streams', 'stalled_streams'))} | {fmt(lost)} | "
            f"{fmt(dig(d, 'streams', 'max_gap_ms'), 1)} | {fmt(dig(d, 'streams', 'ttft_ms', 'p99'))} | {fmt(None if rss is None else rss / 1024, 0)} |")
out("")
verdict("added TTFT p99 <= 1 ms", None if facts.get("detour_ttft_p99") is None else facts["detour_ttft_p99"] <= 1, f"{fmt(facts.get('detour_ttft_p99'))} ms")
verdict("1,000 concurrent streams without a stall", facts.get("detour_streams_ok", 0) >= 1000 if 1000 in meta["stream_steps"] else None,
        f"largest step without a stall: {facts.get('detour_streams_ok', 'none')}")

# ---- 5. memory ----
out("## 5. Memory (RSS of the gateway process)\n")
out("| through | idle MB | at 1,000 rps (60 ms upstream) MB | with the most open slow streams MB | streams | KB per open stream |")
out("|---|---|---|---|---|---|")
top_n = max(meta["stream_steps"])
for t in TARGETS:
    idle = dig(load(f"{t}-idle"), "rss_idle_kb")
    at1000 = dig(load(f"r{meta['rounds']}-{t}-open-1000"), "process", "rss_max_kb")
    s = load(f"{t}-streams-{top_n}")
    smax, sstart = dig(s, "process", "rss_max_kb"), dig(s, "process", "rss_start_kb")
    per = None if smax is None or sstart is None else (smax - sstart) / top_n
    facts[f"{t}_kb_per_stream"] = per
    out(f"| {NAMES[t]} | {fmt(None if idle is None else idle / 1024, 0)} | {fmt(None if at1000 is None else at1000 / 1024, 0)} | "
        f"{fmt(None if smax is None else smax / 1024, 0)} | {top_n} | {fmt(per, 1)} |")
out("\nKB per stream = (RSS max while the streams are open - RSS when they start) / N. The JVM's heap is fixed "
    "(-Xms = -Xmx) but its pages are touched lazily, so RSS grows until the heap has been used once: an upper bound.\n")
p = facts.get("detour_kb_per_stream")
verdict("<= 100 KB per open stream", None if p is None else p <= 100, f"{fmt(p, 1)} KB")

# ---- 6. failover ----
out("## 6. Failover\n")
out("Not measured here: `scripts/bench/failover-latency.sh` measures what a fast error and a failover add.\n")
verdict("failover after a fast error adds <= 5 ms", None, "see scripts/bench/failover-latency.sh")

# ---- 7. overload ----
out("## 7. Overload: twice the closed-loop ceiling against a 60 ms upstream, then 1,000 rps\n")
out("| through | rate | seconds | answered 2xx | 503 | 503 with Retry-After | other failures | 503 p99 ms | 503 service p99 ms | driver lag max ms | gateway CPU | RSS max MB | seconds until p99 normal after |")
out("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for t in TARGETS:
    d, plan = load(f"{t}-overload"), load(f"{t}-overload-plan")
    if d is None or plan is None:
        out(f"| {NAMES[t]} | n/a | | | | | | | | | | | |")
        continue
    st = d["statuses"]
    n503 = st.get("503", 0)
    other = d["intended"] - d["ok"] - n503
    base = dig(load(f"r{meta['rounds']}-{t}-open-1000"), "latency_ms", "p99") or 100.0
    normal = 1.5 * base + 1
    rec = None
    for s in d["per_second"]:
        if s["second"] > plan["overload_seconds"] and s["failed"] == 0 and s["ok"] > 0 and s["p99_ms"] <= normal:
            rec = s["second"] - plan["overload_seconds"]
            break
    facts[f"{t}_recovery"] = rec
    rss = dig(d, "process", "rss_max_kb")
    out(f"| {NAMES[t]} | {plan['overload_rate']} | {plan['overload_seconds']} + {plan['after_seconds']} after | {d['ok']} | {n503} | "
        f"{d['retry_after_on_503']} | {other} | {fmt(d['failed_latency_ms']['p99'])} | {fmt(dig(d, 'failed_service_ms', 'p99'))} | "
        f"{fmt(d.get('send_lag_max_ms'))} | {fmt(dig(d, 'process', 'cpu_percent_of_one_core'), 0)} % | {fmt(None if rss is None else rss / 1024, 0)} | "
        f"{fmt(rec) if rec is not None else 'not within the run'} |")
out(f"\n\"Normal\" = a second without failures whose p99 is at most 1.5 x the p99 at 1,000 rps (same upstream) + 1 ms. "
    "503 p99 counts from each request's intended time, so it includes the wait in the driver for a free connection; "
    "503 service p99 counts from its actual send: the gateway's own time to refuse. "
    "The driver shares core 1 with the simulator: at twice the ceiling it may itself fall behind (driver lag), "
    "and a gateway CPU well below 100 % then says that core 1, not the gateway, set the pace.\n")
rec = facts.get("detour_recovery")
verdict("after overload, normal latency back within 5 s", None if rec is None and load("detour-overload") is None else (rec is not None and rec <= 5),
        f"{fmt(rec)} s")

# ---- peer comparison ----
if meta["peer"]:
    better = []
    for k, lower in [("added_p50", True), ("added_p99", True), ("slo_rate", False), ("ttft_p99", True), ("kb_per_stream", True)]:
        a, b = facts.get(f"detour_{k}"), facts.get(f"peer_{k}")
        if a is not None and b is not None:
            better.append((k, a < b if lower else a > b, a, b))
    verdict("every figure better than the peer's", all(b for _, b, _, _ in better) if better else None,
            "; ".join(f"{k}: Detour {fmt(a)} vs {fmt(b)}" for k, _, a, b in better) or "no comparable figure")
else:
    verdict("every figure better than the peer's", None, "peer not run")

out("## Goals (not gates)\n")
out("| goal | verdict | measured |")
out("|---|---|---|")
for g, v, f in verdicts:
    out(f"| {g} | {v} | {f} |")
out("")
with open(os.path.join(OUT, "summary.md"), "w") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(OUT, "summary.json"), "w") as f:
    json.dump({"facts": facts, "verdicts": verdicts}, f, indent=2, default=str)
print("\n".join(lines))
