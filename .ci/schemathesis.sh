#!/usr/bin/env bash
# Schemathesis against the JSON API (issue 20): serves the demo data on SQLite with the
# built binary, makes a read+write key with `doorstep api-key create`, and lets
# Schemathesis call every operation of /api/v1/openapi.json on Acme's host, failing on
# any server error or any answer that breaks the document. Then runs the sync example
# (examples/sync_customers.py) twice on the same server: the second run changes nothing.
#
#   bash .ci/schemathesis.sh          (after `cargo build -p doorstep`)
#
# DOORSTEP_BIN: the binary [default: $CARGO_TARGET_DIR/debug/doorstep];
# SCHEMATHESIS_VENV: where Schemathesis is installed [default: /tmp/doorstep-schemathesis];
# SCHEMATHESIS_MAX_EXAMPLES / SCHEMATHESIS_MAX_TIME: the run's bounds.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly VERSION=4.32.5
BIN="${DOORSTEP_BIN:-$(realpath -m "${CARGO_TARGET_DIR:-target}")/debug/doorstep}"
VENV="${SCHEMATHESIS_VENV:-/tmp/doorstep-schemathesis}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
MAX_TIME="${SCHEMATHESIS_MAX_TIME:-120}"

[ -x "$BIN" ] || { echo "no doorstep binary at $BIN: run cargo build -p doorstep first"; exit 1; }

if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "installing schemathesis $VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION" </dev/null
fi
"$VENV/bin/st" --version

WORK="$(mktemp -d /tmp/doorstep-schemathesis-run.XXXXXX)"
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap stop_server EXIT

export DOORSTEP_DATABASE_URL="sqlite://$WORK/demo.db"
export DOORSTEP_DATA_DIR="$WORK/data"
export DOORSTEP_METRICS_BIND=off
# Schemathesis calls far faster than the default per-key rate allows; a 429 would hide
# the answers under test.
export DOORSTEP_API_RATE_BURST=1000000
export DOORSTEP_API_RATE_PER_SECOND=1000000
unset DOORSTEP_SMTP_URL DOORSTEP_SINGLE_COMPANY

"$BIN" demo --bind 127.0.0.1:0 >"$WORK/server.log" 2>&1 </dev/null &
SERVER_PID=$!
ADDR=""
for _ in $(seq 1 120); do
  ADDR="$(sed -n 's|^Listening on http://||p' "$WORK/server.log" | head -1)"
  [ -n "$ADDR" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 1
done
[ -n "$ADDR" ] || { echo "the demo server did not start"; cat "$WORK/server.log"; exit 1; }
PORT="${ADDR##*:}"
# Acme's host; *.localhost need not resolve here, so the requests go to the loopback
# address and name the company in the Host header, as a browser would.
HOST="acme.localhost:$PORT"
echo "demo served on $ADDR; API host $HOST"

KEY="$("$BIN" api-key create --company acme --name Schemathesis --scopes read,write </dev/null)"
curl -fsS --max-time 10 -H "Host: $HOST" "http://$ADDR/api/v1/openapi.json" -o "$WORK/openapi.json"

status=0
# From the scratch directory, so Schemathesis's own .schemathesis/ stays out of the tree.
# One worker: on Python 3.11 two threads parsing source at once (Hypothesis describing its
# strategies) can fail inside CPython with "AST constructor recursion depth mismatch".
(cd "$WORK" && "$VENV/bin/st" run "$WORK/openapi.json" \
  --url "http://$ADDR" \
  -H "Host: $HOST" \
  -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$MAX_EXAMPLES" \
  --max-time "$MAX_TIME" \
  --request-timeout 10 \
  --seed 20 \
  --workers 1 \
  --no-color </dev/null) || status=$?
if [ "$status" -ne 0 ]; then
  echo "schemathesis found failures (exit $status); the server's log ends:"
  tail -20 "$WORK/server.log"
  exit "$status"
fi

# The sync example (examples/sync_customers.py) on the same server: the first run makes
# the export's customers, a second run of the same export changes nothing.
echo
echo "sync example: examples/sync_customers.py, twice"
cat >"$WORK/customers.csv" <<'CSV'
id,name,type,email,phone,mobile,street,street2,city,state,zip,notes
SYNC-1,Ada Lovelace,residential,ada@example.test,(555) 010-1111,,12 Analytical Way,,Springfield,IL,62701,Gate code 1234
SYNC-2,Brunel Works,Commercial,office@brunel.example.test,555 010 2222,,1 Bridge Rd,Unit 4,Springfield,IL,62702,
SYNC-3,"Curie, Marie",residential,MARIE@Example.test,,,5 Radium St,,Springfield,IL,62703,"Knock twice, ""loud"""
CSV
sync() {
  python3 examples/sync_customers.py "$WORK/customers.csv" --url "http://$ADDR" --key "$KEY" --host "$HOST"
}
first="$(sync)"
echo "first run:  $first"
audit_before="$(sqlite3 "$WORK/demo.db" 'SELECT COUNT(*) FROM audit_events; SELECT MAX(updated_at) FROM customers;')"
second="$(sync)"
echo "second run: $second"
audit_after="$(sqlite3 "$WORK/demo.db" 'SELECT COUNT(*) FROM audit_events; SELECT MAX(updated_at) FROM customers;')"
[ "$first" = "made=3 updated=0 unchanged=0 failed=0" ] || { echo "the first run should make 3"; exit 1; }
[ "$second" = "made=0 updated=0 unchanged=3 failed=0" ] || { echo "the second run should change nothing"; exit 1; }
[ "$audit_before" = "$audit_after" ] || { echo "the second run wrote: $audit_before -> $audit_after"; exit 1; }
echo "sync example: 2 passed, 0 failed"
