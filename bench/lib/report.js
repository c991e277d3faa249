'use strict';
// Plain-text tables for the terminal.

function table(columns, rows) {
  const cells = rows.map((row) => columns.map((column) => String(row[column.key] ?? '')));
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((row) => row[i].length)));
  const line = (values) => values.map((value, i) => (columns[i].left ? value.padEnd(widths[i]) : value.padStart(widths[i]))).join('  ');
  return [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

const mib = (bytes) => (bytes === undefined ? 'n/a' : `${(bytes / 1_048_576).toFixed(0)} MiB`);
const fixed = (value, digits = 0) => (value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;

const RUN_COLUMNS = [
  { key: 'run', title: 'run', left: true },
  { key: 'server', title: 'server', left: true },
  { key: 'rps', title: 'req/s' },
  { key: 'p50', title: 'p50 ms' },
  { key: 'p99', title: 'p99 ms' },
  { key: 'max', title: 'max ms' },
  { key: 'ok', title: '2xx' },
  { key: 'non2xx', title: 'non-2xx' },
  { key: 'errors', title: 'errors' },
  { key: 'rss', title: 'peak RSS' },
  { key: 'cpu', title: 'CPU' },
  { key: 'cpuPerRequest', title: 'CPU ms/req' },
];

function runRow(run, server, stats, rssBytes) {
  return {
    run,
    server,
    rps: fixed(stats.requestsPerSecond),
    p50: fixed(stats.p50, 1),
    p99: fixed(stats.p99, 1),
    max: fixed(stats.max, 0),
    ok: stats.ok,
    non2xx: stats.non2xx,
    errors: stats.errors + stats.timeouts,
    rss: mib(rssBytes),
  };
}

function verdicts(checks) {
  return checks.map(({ name, pass, detail }) => `  ${pass ? 'PASS' : 'FAIL'}  ${name}: ${detail}`).join('\n');
}

module.exports = { table, RUN_COLUMNS, runRow, verdicts, mib, fixed, mean };
