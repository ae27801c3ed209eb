#!/usr/bin/env bash
# README command 2: the whole test suite, three times:
#   1. Release (g++): every test, the examples, the install test, and the benchmarks compile;
#   2. AddressSanitizer + UndefinedBehaviorSanitizer (g++) with gcov instrumentation, then the
#      line coverage of the library (src/ and include/neat/) with gcovr: fails below 95%;
#   3. ThreadSanitizer (clang, which also checks the thread-safety annotations).
# Each stage prints its ctest summary. NEAT_TEST_STAGES="release asan tsan" selects stages.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
stages=${NEAT_TEST_STAGES:-"release asan tsan"}
ctest_args=(--output-on-failure --no-tests=error -j "$jobs")

stage() { echo; echo "==== $1 ($(date -u +%H:%M:%S))"; }

for s in $stages; do
  case "$s" in
    release)
      stage "release build and tests"
      cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEAT_BUILD_TESTS=ON \
        -DNEAT_BUILD_BENCHMARKS=ON -DNEAT_WARNINGS_AS_ERRORS=ON >/dev/null
      cmake --build build/release -j "$jobs"
      ctest --test-dir build/release "${ctest_args[@]}"
      ;;
    asan)
      stage "AddressSanitizer + UBSan + coverage"
      cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNEAT_SANITIZE=address,undefined \
        -DNEAT_COVERAGE=ON -DNEAT_BUILD_BENCHMARKS=OFF -DNEAT_WARNINGS_AS_ERRORS=ON >/dev/null
      cmake --build build/asan -j "$jobs"
      find build/asan -name '*.gcda' -delete
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --test-dir build/asan "${ctest_args[@]}"
      stage "line coverage of the library (gcovr, must be >= 95%)"
      gcovr --root . --object-directory build/asan --filter 'src/' --filter 'include/neat/' \
        --exclude-unreachable-branches --exclude-throw-branches --print-summary \
        --txt build/asan/coverage.txt --fail-under-line 95 build/asan
      tail -n 3 build/asan/coverage.txt
      ;;
    tsan)
      stage "ThreadSanitizer (clang)"
      CXX=clang++ cmake -S . -B build/tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DNEAT_SANITIZE=thread -DNEAT_BUILD_BENCHMARKS=OFF -DNEAT_WARNINGS_AS_ERRORS=ON >/dev/null
      cmake --build build/tsan -j "$jobs"
      TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        ctest --test-dir build/tsan "${ctest_args[@]}"
      ;;
    *) echo "test.sh: unknown stage '$s' (use release, asan, tsan)" >&2; exit 2 ;;
  esac
done
echo
echo "test.sh: all stages passed: $stages"
