#!/usr/bin/env bash
# The server benchmarks of issue 6, against the real `certledger serve` on
# 127.0.0.1 with wrk, each next to a reference measured in the same run:
#   (a) the public status page GET /v/<code> (HTML) at 64 connections, next to
#       nginx serving a static file of the same size (goals: >= 0.8x nginx's
#       requests/s, p99 <= 10 ms);
#   (b1) durable single-certificate issuance (POST .../issue: one certificate,
#       one durable transaction per request, on drafts prepared beforehand) by
#       64 concurrent clients, next to SQLite's one-transaction-per-row
#       synchronous=FULL insert rate (goal >= 1x, i.e. group commit); (b2) the
#       whole lifecycle (draft -> confirm name -> issue) for comparison;
#   (c) a rush of 100,000 voucher applications against a quota of 33,000 (goal
#       <= 20 s), then the invariants: every application answered 201, the
#       counter shows 33,000 issued and the rest queued.
# Builds nothing: give the built binary (default build/api/certledger).
# Needs wrk, nginx (nginx-light), sqlite3, curl, python3 (scripts/setup.sh).
# Not a test: prints numbers and ratios, exit status 0 unless something broke.
#
# Usage: bench/server_bench.sh [path/to/certledger] [--seconds N] [--rush N] [--quota N]
#                             [--only page|issue|b1|rush]  (run one scenario alone;
#                             b1: the issue step without the lifecycle run)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/../build/api/certledger"
seconds=10
rush=100000
quota=33000
conns=64
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --rush) rush="$2"; shift 2 ;;
    --quota) quota="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n 2,21p "$0"; exit 0 ;;
    *) bin="$1"; shift ;;
  esac
done
bin="$(realpath "$bin")"
for tool in wrk nginx sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { echo "server_bench: $tool is missing (scripts/setup.sh)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "server_bench: no certledger binary at $bin" >&2; exit 2; }

tmp="$(mktemp -d /tmp/certledger-bench.XXXXXX)"
server_pid=""
nginx_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
json() {  # json FILE-OR-- 'python expression on j'
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1]) if sys.argv[1] != "-" else sys.stdin); print(eval(sys.argv[2]))' "$@"
}

# A fresh demo registry, rate limits off, on a free port.
port="$(free_port)"
base="http://127.0.0.1:$port"
data="$tmp/data"
"$bin" init --data "$data" --base-url "$base" --demo >"$tmp/init.log" 2>&1
echo '{"rate_limit_per_minute": 0, "log_requests": false}' >"$data/certledger.json"
op="$(json "$data/demo-tokens.json" 'j["operator"]')"
provider="$(json "$data/demo-tokens.json" 'j["provider"]["token"]')"
year="$(date -u +%Y)"

"$bin" serve --data "$data" --listen "127.0.0.1:$port" >"$tmp/serve.out" 2>"$tmp/serve.log" &
server_pid=$!
for _ in $(seq 100); do
  grep -q serving "$tmp/serve.out" 2>/dev/null && break
  sleep 0.1
done
grep -q serving "$tmp/serve.out" || { echo "server did not start:"; cat "$tmp/serve.log"; exit 1; }

post() {  # post PATH BODY TOKEN (an empty BODY: no body at all)
  if [ -z "$2" ]; then
    curl -sS --fail-with-body -X POST -H "Authorization: Bearer $3" -H "Content-Type:" -d "" "$base$1"
  else
    curl -sS --fail-with-body -X POST -H "Authorization: Bearer $3" \
      -H 'Content-Type: application/json' --data-binary "$2" "$base$1"
  fi
}

echo "certledger server benchmarks: $(nproc) cores, $bin, $conns connections, ${seconds}s per run"
echo "server pid $server_pid, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

case "$only" in
  ""|page|issue|b1|rush) ;;
  *) echo "server_bench: --only takes page, issue, b1 or rush" >&2; exit 2 ;;
esac
run() { [ -z "$only" ] || [ "$only" = "$1" ] || { [ "$only" = b1 ] && [ "$1" = issue ]; }; }
# The server's CPU time so far (user + system), in clock ticks: its CPU per
# request is steadier than a rate on a machine whose neighbours come and go.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
# Its threads' context switches so far (voluntary and not): per certificate,
# the hand-offs between threads, which a noisy machine does not change.
ctx_switches() {
  cat /proc/"$server_pid"/task/*/status 2>/dev/null |
    awk '/^(non)?voluntary_ctxt_switches/ {n += $2} END {print n + 0}'
}
hz="$(getconf CLK_TCK)"

wrk_rate() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_p99() { awk '$1 == "99%" {print $2}' "$1"; }
to_ms() {  # wrk latency "812.00us" / "1.23ms" / "1.02s" -> ms
  python3 -c 'import sys,re; v=sys.argv[1]; n=float(re.match(r"[0-9.]+",v).group()); u=v[len(re.match(r"[0-9.]+",v).group()):]; print("%.2f" % (n/1000 if u=="us" else n*1000 if u=="s" else n*60000 if u=="m" else n))' "$1"
}

# ---------------------------------------------------------------- (a) page
if run page; then
draft='{"programme":"DA-101","learner_name":"Иванов Иван Иванович","learner_id":"123-456-789 64",'
draft+="\"period_start\":\"$year-09-01\",\"period_end\":\"$year-11-20\",\"points\":88,"
draft+='"identity_share":0.4,"identity_method":"online-proctoring"}'
code="$(post /api/v1/certificates "$draft" "$provider" | json - 'j["code"]')"
post "/api/v1/certificates/$code/confirm-name" '' "$provider" >/dev/null
post "/api/v1/certificates/$code/issue" '' "$provider" >/dev/null
mkdir -p "$tmp/nginx/www" "$tmp/nginx/tmp"
chmod a+rx "$tmp" "$tmp/nginx" "$tmp/nginx/www"  # nginx's workers may run as nobody
curl -sS -f "$base/v/$code" -o "$tmp/nginx/www/page.html"
size="$(stat -c %s "$tmp/nginx/www/page.html")"
nport="$(free_port)"
# A minimal nginx in the temp dir: no daemon, no access log, temp paths and pid
# file of its own (works without root on a port above 1024).
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/tmp/body;
  proxy_temp_path $tmp/nginx/tmp/proxy;
  fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
  uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
  scgi_temp_path $tmp/nginx/tmp/scgi;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$nport;
    root $tmp/nginx/www;
    location / { default_type "text/html; charset=utf-8"; }
  }
}
EOF
nginx -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
nginx_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nport/page.html" -o /dev/null && break; sleep 0.1; done
got="$(curl -sS -f "http://127.0.0.1:$nport/page.html" | wc -c)"
[ "$got" = "$size" ] || { echo "nginx does not serve the page ($got bytes):"; cat "$tmp/nginx/error.log"; exit 1; }

# The kernel's count of handshakes dropped because a listening socket's accept
# queue was full (machine-wide). wrk corrects its latencies for coordinated
# omission: one connection stalled for a second by a dropped handshake is
# recorded as hundreds of slow requests, so a few drops make the p99.
listen_overflows() {
  awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) n[$i] = i; h = 1 } else print $n["ListenOverflows"] }' \
    /proc/net/netstat 2>/dev/null || echo 0
}

echo "(a) GET /v/<code> (HTML, $size bytes) vs nginx static file of the same size"
echo "    wrk -t2 -c$conns -d${seconds}s --latency $base/v/$code"
ov0="$(listen_overflows)"
wrk -t2 -c"$conns" -d"${seconds}s" --latency "$base/v/$code" >"$tmp/a-certledger.txt"
echo "    accept-queue overflows during the certledger run (whole machine): $(( $(listen_overflows) - ov0 ))"
echo "    wrk -t2 -c$conns -d${seconds}s --latency http://127.0.0.1:$nport/page.html"
wrk -t2 -c"$conns" -d"${seconds}s" --latency "http://127.0.0.1:$nport/page.html" >"$tmp/a-nginx.txt"
sed 's/^/    certledger| /' "$tmp/a-certledger.txt"
sed 's/^/    nginx     | /' "$tmp/a-nginx.txt"
ra="$(wrk_rate "$tmp/a-certledger.txt")"
rn="$(wrk_rate "$tmp/a-nginx.txt")"
pa="$(to_ms "$(wrk_p99 "$tmp/a-certledger.txt")")"
pn="$(to_ms "$(wrk_p99 "$tmp/a-nginx.txt")")"
kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""
python3 - "$ra" "$rn" "$pa" "$pn" <<'EOF'
import sys
ra, rn, pa, pn = map(float, sys.argv[1:])
print(f"  page: certledger {ra:,.0f} req/s (p99 {pa:.2f} ms), nginx {rn:,.0f} req/s (p99 {pn:.2f} ms)")
print(f"  ratio {ra / rn:.2f}x nginx (goal >= 0.8: {'met' if ra / rn >= 0.8 else 'NOT met'}); "
      f"p99 {pa:.2f} ms (goal <= 10 ms: {'met' if pa <= 10 else 'NOT met'})")
EOF
echo
fi

# ---------------------------------------------------------------- (b) issuance
# The reference: SQLite, one transaction per row (600-byte rows), WAL,
# synchronous=FULL, single thread, in the same file system as the registry.
sqlite_rate() {
  local n=2000 db="$tmp/ref.db"
  rm -f "$db" "$db-wal" "$db-shm"
  {
    echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
    echo "CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB NOT NULL);"
    for i in $(seq "$n"); do echo "BEGIN; INSERT INTO t(body) VALUES (randomblob(600)); COMMIT;"; done
  } >"$tmp/ref.sql"
  local t0 t1
  t0="$(date +%s.%N)"
  sqlite3 "$db" <"$tmp/ref.sql" >/dev/null
  t1="$(date +%s.%N)"
  python3 -c "print('%.0f' % ($n / ($t1 - $t0)))"
}
if run issue; then
# (b1) The goal's measure: one certificate per request, each its own durable
# transaction (sign, ledger entry, status list slot, voucher completed),
# issued by 64 clients at once from drafts whose names learners already
# confirmed. The drafts are made first through the same API (lifecycle.lua
# with CL_CODES, twice as long as the run, so the run does not run out).
echo "(b1) durable single-certificate issuance: POST /certificates/<code>/issue, $conns clients"
prep=$(( seconds * 2 ))
echo "    preparing drafts for ${prep}s: CL_PROVIDER_TOKEN=... CL_YEAR=$year CL_CODES=codes wrk -t2 -c$conns -d${prep}s -s bench/wrk/lifecycle.lua $base"
CL_PROVIDER_TOKEN="$provider" CL_YEAR="$year" CL_CODES="$tmp/codes" \
  wrk -t2 -c"$conns" -d"${prep}s" -s "$here/wrk/lifecycle.lua" "$base" >"$tmp/b0.txt" 2>"$tmp/b0.err"
[ -s "$tmp/b0.err" ] && sed 's/^/    wrk stderr| /' "$tmp/b0.err"
read -r _ _ _ prepared _ _ _ perrors _ <<<"$(grep '^ISSUED' "$tmp/b0.txt")"
echo "    $prepared drafts ready ($perrors errors)"
ref_before="$(sqlite_rate)"
echo "    CL_PROVIDER_TOKEN=... CL_CODES=codes wrk -t2 -c$conns -d${seconds}s -s bench/wrk/issue_step.lua $base"
cpu0="$(cpu_ticks)"
cs0="$(ctx_switches)"
CL_PROVIDER_TOKEN="$provider" CL_CODES="$tmp/codes" \
  wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$here/wrk/issue_step.lua" "$base" >"$tmp/b1.txt" \
  2>"$tmp/b1.err"
cpu1="$(cpu_ticks)"
cs1="$(ctx_switches)"
ref_after="$(sqlite_rate)"
sed 's/^/    certledger| /' "$tmp/b1.txt"
[ -s "$tmp/b1.err" ] && sed 's/^/    wrk stderr| /' "$tmp/b1.err"
read -r _ issued _ berrors _ starved _ bsecs <<<"$(grep '^ISSUED' "$tmp/b1.txt")"
python3 - "$issued" "$berrors" "$starved" "$bsecs" "$ref_before" "$ref_after" \
  "$(to_ms "$(wrk_p99 "$tmp/b1.txt")")" "$(( cpu1 - cpu0 ))" "$hz" "$(( cs1 - cs0 ))" <<'EOF'
import sys
issued, errors, starved = map(int, sys.argv[1:4])
secs, rb, ra, p99, ticks, hz, switches = map(float, sys.argv[4:11])
rate = issued / secs
ref = (rb + ra) / 2
print(f"  issuance: {rate:,.0f} certificates/s ({issued} issued, {errors} errors, {secs:.1f} s, "
      f"p99 {p99:.1f} ms)" + ("" if starved == 0 else f"; RAN OUT OF DRAFTS ({starved} idle "
                              "requests): a lower bound"))
print(f"  server CPU: {ticks / hz / secs:.2f} cores, {1e6 * ticks / hz / max(issued, 1):,.0f} us per certificate, "
      f"{switches / max(issued, 1):.1f} context switches per certificate")
print(f"  reference: {ref:,.0f} rows/s (SQLite, one transaction per row, WAL, synchronous=FULL; "
      f"before {rb:,.0f}, after {ra:,.0f})")
print(f"  ratio {rate / ref:.2f}x (goal >= 1: {'met' if rate / ref >= 1 else 'NOT met'})"
      + ("" if errors == 0 else "  ERRORS"))
EOF
echo

if [ "$only" != b1 ]; then
# (b2) For comparison, not the goal: the whole lifecycle of each certificate,
# create draft -> confirm name -> issue (three requests, three durable
# transactions) on every connection.
echo "(b2) the whole lifecycle: draft -> confirm-name -> issue, $conns clients"
echo "    CL_PROVIDER_TOKEN=... CL_YEAR=$year wrk -t2 -c$conns -d${seconds}s -s bench/wrk/lifecycle.lua $base"
CL_PROVIDER_TOKEN="$provider" CL_YEAR="$year" \
  wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$here/wrk/lifecycle.lua" "$base" >"$tmp/b.txt" \
  2>"$tmp/b.err"
sed 's/^/    certledger| /' "$tmp/b.txt"
[ -s "$tmp/b.err" ] && sed 's/^/    wrk stderr| /' "$tmp/b.err"
read -r _ issued _ _ _ drafts _ berrors _ bsecs <<<"$(grep '^ISSUED' "$tmp/b.txt")"
python3 - "$issued" "$drafts" "$berrors" "$bsecs" "$ref_before" "$ref_after" <<'EOF'
import sys
issued, drafts, errors = map(int, sys.argv[1:4])
secs, rb, ra = map(float, sys.argv[4:])
rate = issued / secs
ref = (rb + ra) / 2
print(f"  lifecycle: {rate:,.0f} certificates/s, {3 * rate:,.0f} requests/s ({issued} issued, "
      f"{drafts} drafts created, {errors} errors, {secs:.1f} s); {rate / ref:.2f}x the reference"
      + ("" if errors == 0 else "  ERRORS"))
EOF
echo
fi
fi

# ---------------------------------------------------------------- (c) rush
run rush || exit 0
echo "(c) rush: $rush applications against a quota of $quota, $conns connections"
cfg="$(curl -sS -f "$base/api/v1/years/$year" | json - 'json.dumps({**j, "quota": '"$quota"'})')"
curl -sS -f -X PUT -H "Authorization: Bearer $op" -H 'Content-Type: application/json' \
  --data-binary "$cfg" "$base/api/v1/years/$year" >/dev/null
counter() { curl -sS -f "$base/api/v1/years/$year/counter"; }
before="$(counter)"
held="$(echo "$before" | json - 'j["issued"]')"
queued0="$(echo "$before" | json - 'j["queueLength"]')"
per_thread=$((rush / 2))
echo "    counter before: $before"
echo "    CL_PER_THREAD=$per_thread wrk -t2 -c$conns -d600s -s bench/wrk/apply.lua $base  (stopped when all are answered)"
t0="$(date +%s.%N)"
t1="$t0"
rcpu0="$(cpu_ticks)"
CL_PER_THREAD="$per_thread" wrk -t2 -c"$conns" -d600s --latency -s "$here/wrk/apply.lua" "$base" \
  >"$tmp/c.txt" 2>"$tmp/c.err" &
wrk_pid=$!
# Done when every application is stored (issued or queued), or when nothing
# new was stored for 3 s (a request lost on the client side: reported below);
# the counter is cached for page_cache_ms, so poll.
last=-1
still=0
while kill -0 "$wrk_pid" 2>/dev/null; do
  c="$(counter)"  # no python here: its start-up would load the machine
  i="$(sed -E 's/.*"issued":([0-9]+).*/\1/' <<<"$c")"
  q="$(sed -E 's/.*"queueLength":([0-9]+).*/\1/' <<<"$c")"
  n=$((i + q))
  if [ "$n" -ge $((held + queued0 + rush)) ]; then t1="$(date +%s.%N)"; rcpu1="$(cpu_ticks)"; break; fi
  if [ "$n" = "$last" ]; then still=$((still + 1)); else still=0; last="$n"; t1="$(date +%s.%N)"; rcpu1="$(cpu_ticks)"; fi
  if [ "$still" -ge 30 ]; then echo "    (nothing stored for 3 s: stopping)"; break; fi
  sleep 0.1
done
kill -INT "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" || true
sleep 1.2  # past the counter's cache
after="$(counter)"
sed 's/^/    certledger| /' "$tmp/c.txt"
[ -s "$tmp/c.err" ] && sed 's/^/    wrk stderr| /' "$tmp/c.err"
echo "    counter after: $after"
echo "    database: $(du -k "$data/registry.db" | cut -f1) kB, its log (registry.db-wal) $(du -k "$data/registry.db-wal" | cut -f1) kB"
read -r _ created _ cerrors _ _ _ _ <<<"$(grep '^CREATED' "$tmp/c.txt")"
python3 - "$t0" "$t1" "$rush" "$quota" "$held" "$queued0" "$created" "$cerrors" "$after" \
  "$(( ${rcpu1:-$rcpu0} - rcpu0 ))" "$hz" <<'EOF'
import json, sys
t0, t1 = float(sys.argv[1]), float(sys.argv[2])
ticks, hz = float(sys.argv[10]), float(sys.argv[11])
rush, quota, held, queued0, created, errors = map(int, sys.argv[3:9])
c = json.loads(sys.argv[9])
secs = t1 - t0
want_queue = queued0 + rush - (quota - held)
ok = (c["issued"] == quota and c["queueLength"] == want_queue and created == rush
      and errors == 0 and c["spacesLeft"] == 0)
print(f"  rush: {rush} applications in {secs:.1f} s ({rush / secs:,.0f}/s; goal <= 20 s: "
      f"{'met' if secs <= 20 else 'NOT met'})")
print(f"  server CPU: {ticks / hz / max(secs, 1e-9):.2f} cores, "
      f"{1e6 * ticks / hz / max(rush, 1):,.0f} us per application")
print(f"  invariants: issued {c['issued']} (want {quota}), queueLength {c['queueLength']} "
      f"(want {want_queue}), answered 201: {created} (want {rush}), errors {errors}: "
      f"{'OK' if ok else 'BROKEN'}")
sys.exit(0 if ok else 1)
EOF
