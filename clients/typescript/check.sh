#!/usr/bin/env bash
# The typed-client check: the committed schema.d.ts must be what openapi-typescript makes of
# openapi/openapi.json today, and example.ts must compile against it under strict tsc.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund
generated="$(mktemp --suffix=.d.ts)"
trap 'rm -f "$generated"' EXIT
npx --no-install openapi-typescript ../../openapi/openapi.json -o "$generated" >/dev/null
if ! diff -u schema.d.ts "$generated"; then
  echo "clients/typescript/schema.d.ts is stale: run \`npm run generate\` in clients/typescript" >&2
  exit 1
fi
npx --no-install tsc --noEmit -p tsconfig.json
echo "typed client: ok"
