#!/usr/bin/env bash
# Sets up, builds and runs the registry on its embedded default (SQLite in
# ./demo-data, sample issuers). The HTTP server is not built yet (its issue is
# open), so this shows what exists: the crypto self-check, a demo registry on
# the command line, and its public ledger exported as static C2SP tiles.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=$(bash scripts/build.sh | tail -n 1)
bin="$dir/api/certledger"
data="${CERTLEDGER_DATA:-demo-data}"
"$bin" selfcheck
if [ ! -f "$data/registry.db" ]; then
  "$bin" init --data "$data" --base-url "${CERTLEDGER_BASE_URL:-http://127.0.0.1:8080}" --demo
fi
"$bin" admin issuer list --data "$data"
# Issue the sample graduates (idempotent), then check one PDF offline as an employer would.
"$bin" issue-batch --data "$data" --issuer demo --csv samples/graduates.csv --out "$data/certificates"
"$bin" trust-bundle --data "$data" --out "$data/trust-bundle"
pdf=$(ls "$data"/certificates/*.pdf | head -n 1)
"$dir/verifier/certverify" "$pdf" --trust "$data/trust-bundle" --lang en || true
"$dir/verifier/certverify" "${pdf%.pdf}.json" --trust "$data/trust-bundle" \
  --policy samples/policy-university.json --lang ru || true
"$bin" ledger export --data "$data" --out "$data/ledger-export"
echo "--- newest signed checkpoint ($data/ledger-export/checkpoint) ---"
"$bin" ledger checkpoint --data "$data"
echo "The HTTP server (certledger serve) is not built yet; the commands above are what runs today."
