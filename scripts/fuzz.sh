#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang + ASan + UBSan) and runs
# each for N seconds (default 60) on a seed corpus made from ../shared/vectors
# and the fuzz registry (fuzz_make_seeds), plus a PDF made with the qpdf tool.
#
#   bash scripts/fuzz.sh [seconds-per-target] [target ...]   (targets: json, verifier,
#   http_body, ...: every tests/fuzz/*_fuzz.cc)
#
# Environment: CERTLEDGER_FUZZ_BUILD_DIR (default build-fuzz) is the build
# directory; CERTLEDGER_SHARED_DIR (default ../shared) the vectors;
# CERTLEDGER_FUZZ_FLAGS the compile flags (default "-O1 -gline-tables-only").
# The corpus grows in <build>/corpus/<target>/ (kept between runs); crashes
# are written to <build>/crashes/<target>/ and fail the script (exit 1).
# Exit 77 (ctest's SKIP_RETURN_CODE) when clang++ with libFuzzer is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
shift || true
build=${CERTLEDGER_FUZZ_BUILD_DIR:-build-fuzz}
shared=${CERTLEDGER_SHARED_DIR:-$root/../shared}
jobs=${CERTLEDGER_FUZZ_JOBS:-2}
case $build in /*) ;; *) build="$root/$build" ;; esac

# libFuzzer comes with clang (Debian: clang + libclang-rt-14-dev).
cxx=${CERTLEDGER_FUZZ_CXX:-clang++}
cc=${CERTLEDGER_FUZZ_CC:-clang}
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
  >"$probe/probe.cc"
if ! command -v "$cxx" >/dev/null ||
   ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/probe.cc" -o "$probe/probe" 2>/dev/null; then
  echo "fuzz: SKIPPED: $cxx with libFuzzer (-fsanitize=fuzzer) is not available;" \
       "install clang and libclang-rt-14-dev (scripts/setup.sh)" >&2
  exit 77
fi

# Debug with -O1: assertions stay on, and the sanitizers run at a usable speed;
# line tables are enough for symbolized crash reports. CERTLEDGER_FUZZ_FLAGS
# overrides (the 5 s ctest uses -O0: it compiles faster and runs long enough).
flags=${CERTLEDGER_FUZZ_FLAGS:--O1 -gline-tables-only}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="$flags" \
  -DCMAKE_C_FLAGS_DEBUG="$flags" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" \
  -DCERTLEDGER_FUZZ=ON -DCERTLEDGER_BUILD_TESTS=OFF -DCERTLEDGER_BUILD_BENCH=OFF \
  -DCERTLEDGER_SHARED_DIR="$shared" >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_all

seeds="$build/seeds"
rm -rf "$seeds"
"$build/tests/fuzz/fuzz_make_seeds" "$shared" "$seeds"
# A PDF with both attachments, as certificates carry them (docs/formats.md).
if command -v qpdf >/dev/null; then
  v=$(ls "$seeds/verifier" | sed -n 1p)
  mkdir -p "$seeds/pdf" "$probe/att"
  tr '\0' '\n' <"$seeds/verifier/$v" | sed -n 1p >"$probe/att/credential.json"
  ls "$seeds/receipt" | sed -n 1p | xargs -I{} cp "$seeds/receipt/{}" "$probe/att/receipt.json"
  qpdf --empty --add-attachment "$probe/att/credential.json" --key=credential.json -- \
    --add-attachment "$probe/att/receipt.json" --key=receipt.json -- "$seeds/pdf/certificate.pdf"
  qpdf --empty --add-attachment "$probe/att/credential.json" --key=credential.json -- \
    --qdf --object-streams=disable "$seeds/pdf/certificate-qdf.pdf"
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzz.cc; do targets+=("$(basename "$f" .cc)"); done
fi
failed=()
for t in "${targets[@]}"; do
  name=${t%_fuzz}
  t=${name}_fuzz
  corpus="$build/corpus/$name"
  crashes="$build/crashes/$name"
  mkdir -p "$corpus" "$crashes" "$seeds/$name"
  echo "fuzz: $t for ${seconds}s"
  # -rss_limit_mb catches decompression bombs (status lists, PDF streams).
  if ! (cd "$crashes" && "$build/tests/fuzz/$t" -max_total_time="$seconds" \
        -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
        "$corpus" "$seeds/$name" >"$build/$name.log" 2>&1); then
    echo "fuzz: $t FAILED (log: $build/$name.log, inputs: $crashes/)" >&2
    tail -n 30 "$build/$name.log" >&2
    failed+=("$t")
  else
    grep -E "^(stat::number_of_executed_units|Done)" "$build/$name.log" | tr '\n' ' '
    echo
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each, no crash"
