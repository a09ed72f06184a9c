#!/usr/bin/env bash
# Configures and builds certledger. CERTLEDGER_SANITIZE=1 selects the
# Debug + ASan + UBSan configuration in build-asan/, CERTLEDGER_SANITIZE=thread
# ThreadSanitizer in build-tsan/; otherwise build/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CERTLEDGER_SANITIZE:-0}" = "1" ]; then
  dir=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCERTLEDGER_SANITIZE=ON)
elif [ "${CERTLEDGER_SANITIZE:-0}" = "thread" ]; then
  dir=build-tsan
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTLEDGER_SANITIZE_THREAD=ON -DCERTLEDGER_BUILD_BENCH=OFF)
else
  dir=build
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
echo "$dir"
