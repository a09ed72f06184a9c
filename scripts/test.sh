#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite; ends with ctest's summary.
# CERTLEDGER_SANITIZE=1 runs it under ASan + UBSan (Debug) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=$(bash scripts/build.sh | tail -n 1)
cd "$dir"
ctest --output-on-failure -j"$(nproc)" --timeout 900
