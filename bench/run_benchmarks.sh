#!/usr/bin/env bash
# Build neat_bench (Release, in build-bench) and run every workload -- neat and its oneTBB and
# OpenMP peers in the same process -- with repetitions; keep the JSON in bench/results/<date>.json
# and print (and keep, as <date>.md) a markdown table of medians with the machine and command.
#
#   bench/run_benchmarks.sh                        # 5 repetitions, workers 1, 2, ... nproc
#   bench/run_benchmarks.sh -r 10 -w 1,2,4 -- --benchmark_filter='chain|wavefront'
#
# Options: -r N repetitions (default 5); -w LIST worker counts (default: neat_bench's);
#          -j N build jobs (default 2); -B DIR build directory (default build-bench);
#          -n skip the build; everything after -- goes to neat_bench.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
repetitions=5
workers=""
jobs=2
build_dir="build-bench"
build=1

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -r) repetitions="$2"; shift 2 ;;
    -w) workers="$2"; shift 2 ;;
    -j) jobs="$2"; shift 2 ;;
    -B) build_dir="$2"; shift 2 ;;
    -n) build=0; shift ;;
    -h|--help) usage 0 ;;
    --) shift; break ;;
    *) echo "run_benchmarks.sh: unknown option '$1'" >&2; usage 2 >&2 ;;
  esac
done
if ! [[ "$repetitions" =~ ^[1-9][0-9]*$ ]]; then
  echo "run_benchmarks.sh: -r wants a positive repetition count, got '$repetitions'" >&2
  exit 2
fi

cd "$root"
if [[ $build -eq 1 ]]; then
  # NEAT_BUILD_TOOLS=OFF: the benchmarks need only the library, not the command-line tool.
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DNEAT_BUILD_TESTS=OFF \
        -DNEAT_BUILD_TOOLS=OFF >/dev/null
  cmake --build "$build_dir" --target neat_bench -j "$jobs" >&2
fi

bench="$build_dir/bench/neat_bench"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
mkdir -p "$here/results"
json="$here/results/$stamp.json"
markdown="$here/results/$stamp.md"

args=(--benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true
      --benchmark_out="$json" --benchmark_out_format=json)
[[ -n "$workers" ]] && args+=(--workers="$workers")
args+=("$@")

echo "running: $(printf '%q ' "$bench" "${args[@]}")" >&2
"$bench" "${args[@]}" >&2

script_args=(-r "$repetitions")
[[ -n "$workers" ]] && script_args+=(-w "$workers")
[[ $build -eq 0 ]] && script_args+=(-n)
[[ $# -gt 0 ]] && script_args+=(-- "$@")
script_command="$(printf '%q ' bench/run_benchmarks.sh "${script_args[@]}")"
script_command="${script_command% }"
python3 "$here/summarize.py" "$json" --command "$script_command" | tee "$markdown"
echo >&2
echo "results: $json, $markdown" >&2
