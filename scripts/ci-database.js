// Creates or drops a database on the PostgreSQL server named by ADMIN_URL (CI helper).
// Usage: node scripts/ci-database.js create|drop NAME
const { Client } = require('pg');

async function main() {
  const [action, name] = process.argv.slice(2);
  if (!['create', 'drop'].includes(action) || !/^[a-z0-9_]+$/.test(name ?? '')) {
    throw new Error('usage: node scripts/ci-database.js create|drop NAME');
  }
  const client = new Client({ connectionString: process.env.ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(action === 'create' ? `CREATE DATABASE "${name}"` : `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
