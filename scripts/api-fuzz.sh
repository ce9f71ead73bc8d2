#!/usr/bin/env bash
# The JSON API against its own OpenAPI document: schemathesis (PyPI) generates requests from
# /api/v1/openapi.json and sends them to `chitieu serve --demo`. By default only server errors
# fail (`not_a_server_error`); `scripts/api-fuzz.sh all` runs every conformance check.
# Usage: scripts/api-fuzz.sh [checks] [max-examples]
set -euo pipefail
cd "$(dirname "$0")/.."
checks=${1:-not_a_server_error}
examples=${2:-100}
command -v st >/dev/null || pip install -q schemathesis
cargo build -q --bin chitieu
work=$(mktemp -d)
port=18193
XDG_DATA_HOME=$work ./target/debug/chitieu serve --demo --port $port 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
until curl -s -o /dev/null -f http://127.0.0.1:$port/healthz; do sleep 0.1; done
st run http://127.0.0.1:$port/api/v1/openapi.json --url http://127.0.0.1:$port/api/v1 \
  --checks "$checks" --max-examples "$examples"
