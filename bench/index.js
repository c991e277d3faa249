'use strict';
// npm run bench — the intake benchmark, then the lookup benchmark (seeding its database the
// first time). Knobs: see bench/README.md.
const settings = require('./lib/settings');
const intake = require('./intake');
const lookup = require('./lookup');

async function main() {
  const intakeCode = await intake.main();
  settings.build = false; // built once, above
  const lookupCode = await lookup.main();
  return Math.max(intakeCode, lookupCode);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
