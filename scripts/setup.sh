#!/usr/bin/env bash
# Installs exactly the Debian 12 packages certledger needs to build, test and run.
# Idempotent; works as root on a fresh Debian 12 (no compiler assumed), or via sudo.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake pkg-config git ca-certificates clang-format ccache
  # clang with libFuzzer (scripts/fuzz.sh; the fuzz test is skipped without them)
  clang libclang-rt-14-dev
  # libraries (DESIGN.md "Dependencies")
  libssl-dev libsodium-dev libcpp-httplib-dev libsqlitecpp-dev libsqlite3-dev
  libqrcodegencpp-dev libhpdf-dev catch2 nlohmann-json3-dev libcli11-dev zlib1g-dev
  libhowardhinnant-date-dev tzdata libqpdf-dev libzbar-dev libpng-dev libjpeg-dev
  libbenchmark-dev
  # fonts for the PDF certificates (Cyrillic), and the tools the tests drive
  fonts-dejavu-core sqlite3 qpdf poppler-utils zbar-tools curl openssl
  # a real JSON Schema validator for the Open Badges 3.0 schema test (tests/registry/check_credentials.py)
  python3 python3-jsonschema
  # headless browser for the public-page screenshot test and the render benchmark
  chromium
  # load generator and the static-file reference for bench/server_bench.sh
  wrk nginx-light
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
