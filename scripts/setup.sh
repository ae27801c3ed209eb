#!/usr/bin/env bash
# README command 1: install what is missing, build a Release tree in build/release, and run the
# main job (`neatsched run`) on the built-in NEAT-like default workload, with the sequential
# baseline beside it. Extra arguments go to `neatsched run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEAT_BUILD_TESTS=OFF \
  -DNEAT_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/release --target neatsched_cli
echo
echo "+ build/release/tools/neatsched/neatsched run --baseline $*"
build/release/tools/neatsched/neatsched run --baseline "$@"
