#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang + ASan + UBSan) and runs
# each on a seed corpus made from ../shared/vectors and the fuzz registry
# (fuzz_make_seeds), plus a PDF made with the qpdf tool.
#
#   bash scripts/fuzz.sh [seconds-per-target] [target ...]
#       each target for N seconds (default 60); ctest runs `fuzz.sh 5`
#   bash scripts/fuzz.sh --runs N [--max-time S] [target ...]
#       long run: each target until N executions (libFuzzer -runs, in chunks
#       of CERTLEDGER_FUZZ_CHUNK executions, default 1,000,000, on the same
#       corpus), printing the executions and exec/s every minute; --max-time
#       stops a target after S seconds with the figure it reached. The final
#       line per target ("longrun: ...") ends <build>/<target>.log (the output
#       of the target's last run, long or short) and is appended to
#       <build>/longrun.log, which keeps every long run.
#   (targets: json, verifier, http_body, ...: every tests/fuzz/*_fuzz.cc;
#   naming targets builds only those.)
#
# Run it under `nice -n 19` on a shared machine (not `chrt --idle`: its
# starvation makes false timeouts). Environment:
# CERTLEDGER_FUZZ_BUILD_DIR (default build-fuzz) is the build directory;
# CERTLEDGER_SHARED_DIR (default ../shared) the vectors;
# CERTLEDGER_FUZZ_FLAGS the compile flags (default "-O1 -gline-tables-only");
# CERTLEDGER_FUZZ_JOBS the build's parallelism (default 2);
# CERTLEDGER_FUZZ_TIMEOUT libFuzzer's -timeout (10 s, long runs 60 s); ASAN_OPTIONS, if
# set, replaces the default malloc_context_size=5.
# The corpus grows in <build>/corpus/<target>/ (kept between runs); crashes
# are written to <build>/crashes/<target>/ and fail the script (exit 1).
# Exit 77 (ctest's SKIP_RETURN_CODE) when clang++ with libFuzzer is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=60
runs=
max_time=
case ${1:-} in
  --runs)
    runs=${2:?--runs needs a number of executions}
    shift 2
    if [ "${1:-}" = --max-time ]; then
      max_time=${2:?--max-time needs seconds}
      shift 2
    fi
    ;;
  [0-9]*) seconds=$1; shift ;;
esac
chunk=${CERTLEDGER_FUZZ_CHUNK:-1000000}
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
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzz.cc; do targets+=("$(basename "$f" .cc)"); done
  cmake --build "$build" -j"$jobs" --target fuzz_all
else
  # Only the named targets: http_body_fuzz alone needs the whole server library.
  cmake --build "$build" -j"$jobs" --target fuzz_make_seeds \
    $(for t in "${targets[@]}"; do echo "${t%_fuzz}_fuzz"; done)
fi

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

# The longest input libFuzzer may make, per target: large inputs only slow a
# target down (the parsers are linear at best, base58 quadratic), so each cap
# is a few times the largest real object, and never below the largest seed.
max_len_for() {
  local cap
  case $1 in
    encoding) cap=1024 ;;
    checkpoint) cap=4096 ;;
    receipt) cap=8192 ;;
    json | data_integrity | status_list | verifier) cap=16384 ;;
    *) cap=65536 ;;  # tile_path (full entry bundles), pdf, http_body
  esac
  local largest
  largest=$(find "$seeds/$1" -type f -printf '%s\n' 2>/dev/null | sort -n | tail -n 1)
  echo $((${largest:-0} > cap ? largest : cap))
}

# -reload=0: one process per corpus, no need to rescan it every second (a
# tenth of the time of a short run). -entropic_feature_frequency_threshold=8:
# libFuzzer 14 searches its list of rare features linearly for every feature
# of every run, and with the default (255) that list holds every feature of
# the corpus (over half the time of the verifier target); 8 keeps the
# entropic schedule with a short list. malloc_context_size=5 (ASan's default
# is 30): qpdf and nlohmann::json allocate per token, and each allocation's
# stack is unwound and stored; a crash report then shows 5 frames of the
# allocation and free stacks, rerun the crash file for all of them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=5}
# -timeout is wall-clock time: a long run on a loaded machine (nice, or
# worse chrt --idle, which can leave it without a core for many seconds) hit
# false timeouts on 4-byte inputs at 10 s, so long runs allow 60 s
# (CERTLEDGER_FUZZ_TIMEOUT sets either).
timeout=${CERTLEDGER_FUZZ_TIMEOUT:-$([ -n "$runs" ] && echo 60 || echo 10)}
common=(-rss_limit_mb=2048 -timeout="$timeout" -print_final_stats=1 -reload=0
        -entropic_feature_frequency_threshold=8)

# run_chunk NAME LOG ARGS...: one libFuzzer process, output appended to LOG.
run_chunk() {
  local name=$1 log=$2
  shift 2
  (cd "$build/crashes/$name" && "$build/tests/fuzz/${name}_fuzz" "${common[@]}" \
     -max_len="$(max_len_for "$name")" "$@" "$build/corpus/$name" "$seeds/$name" \
     >>"$log" 2>&1)
}

# long_run NAME: executions until $runs (or $max_time seconds), in chunks.
long_run() {
  local name=$1 log="$build/$1.log" done=0 start now elapsed left n pid last=0
  : >"$log"
  start=$(date +%s)
  while [ "$done" -lt "$runs" ]; do
    n=$((runs - done < chunk ? runs - done : chunk))
    local limit=()
    if [ -n "$max_time" ]; then
      left=$((max_time - ($(date +%s) - start)))
      [ "$left" -gt 0 ] || break
      limit=(-max_total_time="$left")
    fi
    local mark
    mark=$(wc -l <"$log")
    run_chunk "$name" "$log" -runs="$n" "${limit[@]}" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      sleep 5
      now=$(date +%s)
      if [ $((now - last)) -ge 60 ]; then
        last=$now
        # libFuzzer's newest status line: "#<executions> ... exec/s: <rate>".
        local line
        line=$(tail -n +"$((mark + 1))" "$log" | grep -aE '^#[0-9]+' | tail -n 1 || true)
        local cur=${line%%[!#0-9]*}
        cur=${cur#\#}
        echo "fuzz: $name: $((done + ${cur:-0})) of $runs executions," \
             "$(grep -oE 'exec/s: [0-9]+' <<<"$line" || echo 'exec/s: -') (this chunk)," \
             "$((now - start)) s"
      fi
    done
    if ! wait "$pid"; then
      echo "fuzz: ${name}_fuzz FAILED after about $done executions" \
           "(log: $log, inputs: $build/crashes/$name/)" >&2
      tail -n 30 "$log" >&2
      echo "longrun: $(date -u +%FT%TZ) $name executions=$done seconds=$(($(date +%s) - start))" \
           "crash=yes" | tee -a "$log" >>"$build/longrun.log"
      return 1
    fi
    n=$(tail -n +"$((mark + 1))" "$log" | grep -a '^stat::number_of_executed_units' |
        tail -n 1 | awk '{print $2}')
    [ -n "$n" ] && [ "$n" -gt 0 ] || break
    done=$((done + n))
  done
  elapsed=$(($(date +%s) - start))
  local line="longrun: $(date -u +%FT%TZ) $name executions=$done seconds=$elapsed"
  line+=" exec_per_sec=$((done / (elapsed > 0 ? elapsed : 1))) max_len=$(max_len_for "$name")"
  line+=" target=$runs$([ "$done" -ge "$runs" ] && echo " reached" || echo " stopped")"
  line+=" crash=none flags=\"$flags\" ASAN_OPTIONS=$ASAN_OPTIONS"
  echo "$line" | tee -a "$log" >>"$build/longrun.log"
  echo "$line"
}

failed=()
for t in "${targets[@]}"; do
  name=${t%_fuzz}
  t=${name}_fuzz
  mkdir -p "$build/corpus/$name" "$build/crashes/$name" "$seeds/$name"
  if [ -n "$runs" ]; then
    echo "fuzz: $t until $runs executions${max_time:+ or ${max_time}s}"
    long_run "$name" || failed+=("$t")
    continue
  fi
  echo "fuzz: $t for ${seconds}s"
  # -rss_limit_mb catches decompression bombs (status lists, PDF streams).
  : >"$build/$name.log"
  if ! run_chunk "$name" "$build/$name.log" -max_total_time="$seconds"; then
    echo "fuzz: $t FAILED (log: $build/$name.log, inputs: $build/crashes/$name/)" >&2
    tail -n 30 "$build/$name.log" >&2
    failed+=("$t")
  else
    grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|Done)" \
      "$build/$name.log" | tr -s ' \n' ' '
    echo
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
if [ -n "$runs" ]; then
  echo "fuzz: ${#targets[@]} targets, long runs of up to $runs executions, no crash"
else
  echo "fuzz: ${#targets[@]} targets ran ${seconds}s each, no crash"
fi
