#!/usr/bin/env bash
# Policies on vs off with the gateway benchmark (../shared/bench/gateways).
#   bench/policies/run.sh                 # ROUNDS=2 by default; ROUNDS=1 while iterating
# Copies the harness to $GWB (default /tmp/gwb-policies), patches its wrk script to send
# BENCH_HEADERS ("Name: value|Name: value"), serves a JWKS from a temp dir, and runs
# router-off then router-on. The harness' own verification requests carry no headers
# (anonymous, allowed: the token is optional), the measured wrk load carries the token.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GWB=${GWB:-/tmp/gwb-policies}
SRC=${GATEWAYS:-/work/shared/bench/gateways}
if [ ! -d "$GWB/node_modules" ]; then
  rm -rf "$GWB" && cp -r "$SRC" "$GWB" && "$GWB/install.sh"
fi
if ! grep -q BENCH_HEADERS "$GWB/src/load.lua"; then
  python3 - "$GWB/src/load.lua" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
anchor = 'wrk.body = readfile(os.getenv("BENCH_BODY"))\n'
extra = (
    'for pair in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do\n'
    '  local name, value = pair:match("^%s*([^:]+):%s*(.-)%s*$")\n'
    '  if name then wrk.headers[name] = value end\n'
    'end\n'
)
assert anchor in text
open(path, "w").write(text.replace(anchor, anchor + extra, 1))
PY
fi
WORK=$(mktemp -d)
"$ROOT/.venv/bin/python" "$ROOT/bench/policies/keys.py" "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$WORK" >/dev/null 2>&1 &
JWKS_PID=$!
trap 'kill $JWKS_PID 2>/dev/null; rm -rf "$WORK"' EXIT
sed "s|JWKS_URL|http://127.0.0.1:$PORT/.well-known/jwks.json|" "$ROOT/bench/policies/router-on.yaml" > "$WORK/on.yaml"
export BENCH_HEADERS="Authorization: Bearer $(cat "$WORK/token")|X-Tenant: acme"
export GATEWAY_CMD_ROUTER_OFF="$ROOT/.venv/bin/python -m router --supergraph {supergraph} --port {port} --config $ROOT/bench/policies/router-off.yaml"
export GATEWAY_CMD_ROUTER_ON="$ROOT/.venv/bin/python -m router --supergraph {supergraph} --port {port} --config $WORK/on.yaml"
cd "$ROOT"
ROUNDS=${ROUNDS:-2} "$GWB/run.sh" router-off router-on
