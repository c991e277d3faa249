'use strict';
// Where a server's CPU time went, from the .cpuprofile Node writes with --cpu-prof:
// self time grouped by package (or our own code), then the hottest functions.
const { existsSync, readFileSync } = require('node:fs');
const { table } = require('./report');

function areaOf(callFrame) {
  const { url, functionName } = callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  if (inModules) return inModules[inModules.length - 1].replace('node_modules/', '');
  if (url.startsWith('node:')) return 'node core';
  const ours = url.match(/\/(dist|bench)\/(.*)$/);
  if (ours) return `${ours[1]}/${ours[2].split('/')[0]}`;
  return url;
}

function frameName(callFrame) {
  const where = callFrame.url ? ` ${areaOf(callFrame)}:${callFrame.lineNumber + 1}` : '';
  return `${callFrame.functionName || '(anonymous)'}${where}`;
}

/**
 * Self time per area and per function, and inclusive time per package and per function of
 * ours (mind that a package calling back into another counts for both). With `windows` ([{start, end}] in monotonic µs), only
 * samples taken inside them count: the measured runs, not start-up, warm-up or drains.
 */
function summarizeProfile(file, windows, top = 15) {
  if (!file || !existsSync(file)) return `  (no profile at ${file})`;
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const inWindow = (at) => !windows || windows.some((w) => at >= w.start && at <= w.end);
  const byArea = new Map();
  const byFunction = new Map();
  const areaInclusive = new Map();
  const oursInclusive = new Map();
  const add = (map, key, micros) => map.set(key, (map.get(key) ?? 0) + micros);
  let busy = 0;
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (!inWindow(at)) return;
    total += delta;
    const { callFrame } = nodes.get(id);
    if (callFrame.functionName === '(idle)') return;
    busy += delta;
    add(byArea, areaOf(callFrame), delta);
    add(byFunction, frameName(callFrame), delta);
    // Inclusive time: each package, and each function of ours, anywhere on the sample's stack.
    const seen = new Set();
    for (let node = id; node !== undefined; node = parents.get(node)) {
      const frame = nodes.get(node).callFrame;
      if (!frame.url || frame.url.startsWith('node:')) continue;
      for (const [map, key] of [
        [areaInclusive, areaOf(frame)],
        [oursInclusive, areaOf(frame).startsWith('dist/') ? frameName(frame) : undefined],
      ]) {
        if (key === undefined || seen.has(key)) continue;
        seen.add(key);
        add(map, key, delta);
      }
    }
  });
  const rows = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: (micros / 1000).toFixed(0), share: `${((100 * micros) / busy).toFixed(1)}%` }));
  const columns = (title, kind = 'self') => [
    { key: 'name', title, left: true },
    { key: 'ms', title: `${kind} ms` },
    { key: 'share', title: 'of busy' },
  ];
  return [
    `  busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms ${windows ? 'in the measured rounds' : 'profiled'} (one core = 100 %: ${((100 * busy) / Math.max(1, total)).toFixed(0)} %)`,
    table(columns('by package / area'), rows(byArea)),
    '',
    table(columns('hottest functions (self time)'), rows(byFunction)),
    '',
    table(columns('package anywhere on the stack', 'incl.'), rows(areaInclusive)),
    '',
    table(columns('our functions (dist/) anywhere on the stack', 'incl.'), rows(oursInclusive)),
  ].join('\n');
}

module.exports = { summarizeProfile };
