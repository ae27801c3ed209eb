#!/usr/bin/env python3
"""Turn a neat_bench JSON file (Google Benchmark, --benchmark_repetitions with aggregates) into
markdown tables: ns per task of neat, oneTBB and OpenMP per workload and worker count with the
neat/tbb ratio, makespan efficiency of random_dag, build cost per operation, and the machine and
command. Every number is the median over the repetitions. Standard library only.

    python3 bench/summarize.py bench/results/2024-01-01T120000Z.json [--command "..."]
"""
import argparse
import json
import sys
from collections import defaultdict

WORKLOADS = ["independent", "chain", "fork_join", "wavefront", "random_dag", "build"]
IMPLS = ["neat", "tbb", "omp"]


def parse_name(run_name):
    """'chain/neat/workers:2/manual_time' -> ('chain', 'neat', 2); workers None if absent."""
    parts = [p for p in run_name.split("/") if p != "manual_time" and p != "real_time"]
    workload, impl = parts[0], parts[1]
    workers = None
    for p in parts[2:]:
        if p.startswith("workers:"):
            workers = int(p.split(":", 1)[1])
    return workload, impl, workers


def load(path):
    with open(path) as f:
        data = json.load(f)
    # results[(workload, impl, workers)][aggregate] = entry
    results = defaultdict(dict)
    for b in data.get("benchmarks", []):
        if b.get("error_occurred"):
            key = parse_name(b.get("run_name", b["name"]))
            results[key]["error"] = b
            continue
        aggregate = b.get("aggregate_name") if b.get("run_type") == "aggregate" else "single"
        results[parse_name(b["run_name"])][aggregate] = b
    return data.get("context", {}), results


def median(results, key):
    """The median entry for key; a single run when there were no repetitions."""
    entry = results.get(key, {})
    return entry.get("median") or entry.get("single")


def fmt(value, digits=1):
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def counter(results, key, name):
    entry = median(results, key)
    return None if entry is None else entry.get(name)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def cv_percent(results, key):
    entry = results.get(key, {}).get("cv")
    return None if entry is None else entry.get("real_time", 0.0) * 100.0


def overhead_table(results, worker_counts):
    lines = [
        "| workload | workers | neat ns/task | tbb ns/task | omp ns/task | neat/tbb | neat/omp | max cv % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workload in WORKLOADS:
        counts = [None] if workload == "build" else worker_counts
        for w in counts:
            keys = {impl: (workload, impl, w) for impl in IMPLS}
            if not any(k in results for k in keys.values()):
                continue
            ns = {impl: counter(results, k, "ns_per_task") for impl, k in keys.items()}
            cvs = [c for c in (cv_percent(results, k) for k in keys.values()) if c is not None]
            lines.append("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
                workload, "–" if w is None else w, fmt(ns["neat"]), fmt(ns["tbb"]),
                fmt(ns["omp"]), fmt(ratio(ns["neat"], ns["tbb"]), 2),
                fmt(ratio(ns["neat"], ns["omp"]), 2), fmt(max(cvs) if cvs else None)))
    return lines


def dag_table(results, worker_counts):
    lines = [
        "| workers | impl | makespan ms | lower bound ms | efficiency | efficiency (nominal) "
        "| critical path ms | total work ms |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for w in worker_counts:
        for impl in IMPLS:
            key = ("random_dag", impl, w)
            entry = median(results, key)
            if entry is None:
                continue
            lines.append("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
                w, impl, fmt(entry.get("makespan_ms"), 2), fmt(entry.get("lower_bound_ms"), 2),
                fmt(entry.get("efficiency"), 3), fmt(entry.get("efficiency_nominal"), 3),
                fmt(entry.get("critical_path_ms"), 2), fmt(entry.get("total_work_ms"), 2)))
    return lines


def build_table(results):
    lines = [
        "| impl | ns/op | heap bytes/op | memory_bytes()/op | allocs/op | compile ns/op "
        "| heap bytes/op compiled | memory_bytes()/op compiled |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for impl in ["neat", "neat_reserve", "tbb"]:
        entry = median(results, ("build", impl, None))
        if entry is None:
            continue
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
            impl, fmt(entry.get("ns_per_task")), fmt(entry.get("bytes_per_op")),
            fmt(entry.get("memory_bytes_per_op")), fmt(entry.get("allocs_per_op"), 4),
            fmt(entry.get("compile_ns_per_op")), fmt(entry.get("compiled_bytes_per_op")),
            fmt(entry.get("compiled_memory_bytes_per_op"))))
    return lines


def machine_lines(context, command):
    load_avg = context.get("load_avg")
    lines = [
        f"- CPU: {context.get('cpu_model', '?')}; nproc (usable CPUs): "
        f"{context.get('usable_cpus', '?')}; CPUs seen: {context.get('num_cpus', '?')} at "
        f"{context.get('mhz_per_cpu', '?')} MHz",
        f"- kernel: {context.get('kernel', '?')}; compiler: {context.get('compiler', '?')}",
        f"- peers: {context.get('tbb', '?')}; {context.get('openmp', '?')}",
        f"- date: {context.get('date', '?')}; load average at start: "
        + (", ".join(f"{x:.2f}" for x in load_avg) if load_avg else "?"),
        f"- benchmark command: `{context.get('command', '?')}`",
    ]
    if command:
        lines.append(f"- produced by: `{command}`")
    if context.get("library_build_type") == "debug":
        lines.append("- note: the system's Google Benchmark library reports a debug build; this "
                     "affects only its own bookkeeping between iterations, not the timed spans")
    return lines


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json_file")
    parser.add_argument("--command", default="", help="the command that produced the file")
    args = parser.parse_args(argv)
    context, results = load(args.json_file)
    worker_counts = sorted({w for (_, _, w) in results if w is not None})
    out = ["## neat_bench: scheduling overhead (median of repetitions)", "",
           "ns/task = measured wall time of one run / tasks; ratio < 1: neat faster. "
           "build: ns per operation constructed (no workers).", ""]
    out += overhead_table(results, worker_counts)
    if any(w == "random_dag" for (w, _, _) in results):
        out += ["", "## random_dag: makespan efficiency (median of repetitions)", "",
                "efficiency = max(critical path, total work / P) / makespan, with critical path "
                "and total work from each task's measured duration in that run; "
                "efficiency (nominal) uses the nominal 50 µs per task.", ""]
        out += dag_table(results, worker_counts)
    if any(w == "build" for (w, _, _) in results):
        out += ["", "## build: 1,000,000 operations chained by edges (median of repetitions)", "",
                "heap bytes = bytes requested through operator new and still live after building "
                "(global operator new/delete tally in the bench binary).", ""]
        out += build_table(results)
    errors = [k for k, v in results.items() if "error" in v]
    if errors:
        out += ["", "Errors: " + ", ".join("/".join(str(p) for p in k if p is not None)
                                           for k in errors)]
    out += ["", "## Machine and command", ""] + machine_lines(context, args.command)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
