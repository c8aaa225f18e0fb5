#!/usr/bin/env bash
# The README's run command, word for word, on the embedded default (no DATABASE_URL/REDIS_URL):
# start it, wait until ready, run real GraphQL over HTTP through the router, stop it with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL REDIS_URL
log=$(mktemp)
data_backup=""
if [ -d data ]; then data_backup=$(mktemp -d); mv data "$data_backup/"; fi
cleanup() {
  if [ -n "${pid:-}" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
  rm -rf data
  if [ -n "$data_backup" ]; then mv "$data_backup/data" data; fi
}
trap cleanup EXIT

setsid make run >"$log" 2>&1 &
pid=$!
ready=""
for _ in $(seq 1 120); do
  if curl -fsS http://127.0.0.1:8000/ready >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
if [ -z "$ready" ]; then echo "platform did not become ready"; cat "$log"; exit 1; fi
grep -q "http://localhost:8000/graphql" "$log" || { echo "run command did not print the GraphQL URL"; cat "$log"; exit 1; }

gql() {
  curl -fsS http://127.0.0.1:8000/graphql -H 'content-type: application/json' \
    -H 'accept: application/graphql-response+json' --data "$1"
}
slug="ci-$(date +%s)"
created=$(gql "{\"query\":\"mutation(\$i: CreateTenantInput!){ createTenant(input: \$i){ tenant { id slug status } userErrors { code message } } }\",\"variables\":{\"i\":{\"slug\":\"$slug\",\"name\":\"CI Tenant\"}}}")
echo "createTenant: $created"
echo "$created" | grep -q "\"status\":\"ACTIVE\"" || { echo "tenant not created ACTIVE"; cat "$log"; exit 1; }
fetched=$(gql "{\"query\":\"{ tenantBySlug(slug: \\\"$slug\\\") { slug name status } }\"}")
echo "tenantBySlug: $fetched"
echo "$fetched" | grep -q "\"name\":\"CI Tenant\"" || { echo "tenant not readable through the router"; exit 1; }
# sign up the tenant's first owner (tenant named by slug), then a federated query: a ticket
# (tickets subgraph) whose requester is resolved by the identity subgraph through the router
signup=$(curl -fsS http://127.0.0.1:8000/graphql -H 'content-type: application/json' -H "X-Tenant: $slug" \
  --data '{"query":"mutation { signUp(email: \"owner@ci.test\", name: \"Owner\", password: \"correct horse battery staple\") { accessToken userErrors { code } } }"}')
token=$(printf '%s' "$signup" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["signUp"]["accessToken"])') \
  || { echo "signUp failed: $signup"; cat "$log"; exit 1; }
ticket=$(curl -fsS http://127.0.0.1:8000/graphql -H 'content-type: application/json' -H "X-Tenant: $slug" \
  -H "authorization: Bearer $token" \
  --data '{"query":"mutation { createTicket(input: {subject: \"Printer on fire\", description: \"help\"}) { ticket { number requester { name } } userErrors { code } } }"}')
echo "createTicket: $ticket"
echo "$ticket" | grep -q '"requester":{"name":"Owner"}' || { echo "federated ticket requester missing"; cat "$log"; exit 1; }
test -f "data/control.db" || { echo "embedded control database missing"; exit 1; }
ls data/tenants/*.db >/dev/null || { echo "no SQLite file for the tenant"; exit 1; }

kill -TERM -- "-$pid"
for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null; then echo "platform did not stop on SIGTERM"; exit 1; fi
pid=""
echo "quick start e2e: 1 passed, 0 failed"
