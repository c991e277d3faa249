// `npm start` runs this before it builds: if a live instance holds DATA_DIR/instance.lock, say so
// in one line and stop, so that dist/ is not rebuilt under the running service. The service
// takes the lock itself at boot (src/instance-lock.ts, same file and rules); this is only the
// early check. Reads .env like the service; the system Node may run it, so plain CommonJS.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

if (existsSync('.env')) process.loadEnvFile('.env');
const dataDir = resolve((process.env.DATA_DIR || '').trim() || './.data');
let holder;
try {
  holder = JSON.parse(readFileSync(join(dataDir, 'instance.lock'), 'utf8'));
} catch {
  process.exit(0); // no lock (or a half-written one): the service decides at boot
}
if (!Number.isInteger(holder.pid) || holder.pid === process.pid || !isAlive(holder.pid)) process.exit(0);
process.stderr.write(`another instance (pid ${holder.pid}, port ${holder.port}) is using DATA_DIR ${dataDir}, since ${holder.startedAt}\n`);
process.exit(1);

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
