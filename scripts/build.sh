#!/usr/bin/env bash
# Configures and builds certledger. CERTLEDGER_SANITIZE=1 selects the
# Debug + ASan + UBSan configuration in build-asan/; otherwise build/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CERTLEDGER_SANITIZE:-0}" = "1" ]; then
  dir=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCERTLEDGER_SANITIZE=ON)
else
  dir=build
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
echo "$dir"
