#!/usr/bin/env bash
# Sets up, builds and runs the registry on its embedded default: SQLite in
# ./demo-data with the demo issuers, programmes, this year's voucher
# configuration and one token per role (demo-data/demo-tokens.json), the
# sample graduates issued, and then the HTTP server on 127.0.0.1:8080 until
# Ctrl-C (docs/guides.md: what each user does with it).
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
listen="${CERTLEDGER_LISTEN:-127.0.0.1:8080}"
code=$(basename "$pdf" .pdf)
echo "--- the registry is serving on http://$listen (Ctrl-C stops it) ---"
echo "employer's page:   http://$listen/v/$code"
echo "API description:   http://$listen/api/v1/openapi.json"
echo "year counter:      http://$listen/api/v1/years/$(date +%Y)/counter"
echo "tokens per role:   $data/demo-tokens.json   guides: docs/guides.md"
exec "$bin" serve --data "$data" --listen "$listen"
