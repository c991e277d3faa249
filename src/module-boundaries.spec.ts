import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The folder rules of src/, checked on every import line so that they hold after the next
 * change too:
 * - `suki/` is Suki's contract (signature, notification, status maps, link policy, artifact
 *   kinds, documented paths, id rule) and depends on nothing but itself and `node:` built-ins;
 *   the only exception is a type-only import of the generated Prisma enums, which the compiler
 *   erases (the kinds are checked against the schema's at compile time).
 * - `webhooks/` and `retrieval/` share the contract through `suki/`, never through each other.
 * - `common/` is generic: it imports no other folder of src/.
 * - No two folders depend on each other, directly or through others: the folders form a
 *   hierarchy (the boot files directly in src/ sit above it and are left out).
 * - A folder's `*.repository.ts` is its own: another folder goes through its module's services.
 *   leases/ is the exception: a shared mechanism (like api/), whose store is its interface.
 * - The access audit is written by `audit/` alone (others call AuditService), so that every
 *   record has the one shape and path.
 * - The artifacts queue is written by `work-queue/` alone (others call WorkQueue), so that the
 *   lease fence and the queue's other rules are written once; intake queues artifacts in its SQL
 *   function, which is SQL, not TypeScript. (Retention's purge clears old rows' content, not
 *   their queue state, and stays with retention.)
 */
const SRC = __dirname;

interface ImportLine {
  /** The importing file, relative to src/ with `/` separators. */
  file: string;
  specifier: string;
  typeOnly: boolean;
}

const STATEMENT = /^\s*(import|export)\s+(type\s+)?[^;]*?\bfrom\s+'([^']+)'/gm;
const BARE_IMPORT = /^\s*import\s+'([^']+)'/gm;
const CALL = /\b(?:import|require)\(\s*'([^']+)'\s*\)/g;

function importLines(file: string, source: string): ImportLine[] {
  const lines: ImportLine[] = [];
  for (const match of source.matchAll(STATEMENT)) lines.push({ file, specifier: match[3], typeOnly: match[2] !== undefined });
  for (const match of source.matchAll(BARE_IMPORT)) lines.push({ file, specifier: match[1], typeOnly: false });
  for (const match of source.matchAll(CALL)) lines.push({ file, specifier: match[1], typeOnly: false });
  return lines;
}

/** The top folder of src/ a relative import lands in (`suki`, `webhooks`, ...; a file directly in src/ is `.`), or undefined for a package. */
function targetOf(line: ImportLine): { folder: string; path: string } | undefined {
  if (!line.specifier.startsWith('.')) return undefined;
  const path = relative(SRC, resolve(SRC, dirname(line.file), line.specifier))
    .split(sep)
    .join('/');
  return { folder: path.includes('/') ? path.split('/')[0] : '.', path };
}

function folderOf(file: string): string {
  return file.includes('/') ? file.split('/')[0] : '.';
}

function violations(lines: readonly ImportLine[]): string[] {
  const found: string[] = [];
  for (const line of lines) {
    const from = folderOf(line.file);
    const target = targetOf(line);
    const where = `${line.file} imports '${line.specifier}'`;
    if (from === 'suki' && !line.file.endsWith('.spec.ts')) {
      const allowed =
        line.specifier.startsWith('node:') || target?.folder === 'suki' || (target?.path === 'generated/prisma/enums' && line.typeOnly);
      if (!allowed) found.push(`${where}: suki/ depends on nothing outside itself`);
    }
    if (from === 'common' && target !== undefined && target.folder !== 'common') found.push(`${where}: common/ imports no other folder`);
    if ((from === 'webhooks' && target?.folder === 'retrieval') || (from === 'retrieval' && target?.folder === 'webhooks'))
      found.push(`${where}: webhooks/ and retrieval/ share the contract through suki/, not each other`);
    if (target !== undefined && target.folder !== from && target.folder !== 'leases' && target.path.endsWith('.repository'))
      found.push(`${where}: a repository is used only inside its own folder`);
  }
  return [...found, ...cycles(lines)];
}

/** Folder → the folders it imports (boot files directly in src/ and generated code left out). */
function folderGraph(lines: readonly ImportLine[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const line of lines) {
    const from = folderOf(line.file);
    const to = targetOf(line)?.folder;
    if (to === undefined || to === from || from === '.' || to === '.' || to === 'generated' || to.startsWith('..')) continue;
    graph.set(from, (graph.get(from) ?? new Set()).add(to));
  }
  return graph;
}

/**
 * Each set of folders that reach each other (a strongly connected component of the folder
 * graph, Tarjan's algorithm), named with the imports that close it.
 */
function cycles(lines: readonly ImportLine[]): string[] {
  const graph = folderGraph(lines);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (folder: string): void => {
    index.set(folder, index.size);
    low.set(folder, index.get(folder)!);
    stack.push(folder);
    for (const next of graph.get(folder) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(folder, Math.min(low.get(folder)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(folder, Math.min(low.get(folder)!, index.get(next)!));
    }
    if (low.get(folder) !== index.get(folder)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      component.push(member);
    } while (member !== folder);
    if (component.length > 1) components.push(component.sort());
  };
  for (const folder of [...graph.keys()].sort()) if (!index.has(folder)) visit(folder);
  return components.map((component) => {
    const inside = lines.filter((line) => {
      const to = targetOf(line)?.folder;
      return to !== undefined && to !== folderOf(line.file) && component.includes(folderOf(line.file)) && component.includes(to);
    });
    const edges = inside.map((line) => `${line.file} imports '${line.specifier}'`);
    return `folders ${component.join(', ')} depend on each other: ${edges.join('; ')}`;
  });
}

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .map((file) => file.split(sep).join('/'))
    .filter((file) => file.endsWith('.ts') && !file.startsWith('generated/'));
}

/** A statement or Prisma call that writes rows of artifacts (the retrieval queue). */
function writesArtifacts(source: string): boolean {
  return (
    /\b(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+artifacts\b/i.test(source) ||
    /\.artifact\.(?:create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany)\b/.test(source)
  );
}

describe('module boundaries', () => {
  it('hold for every import in src/', () => {
    const lines = sourceFiles().flatMap((file) => importLines(file, readFileSync(join(SRC, file), 'utf8')));
    // Not vacuous: the scan does see the imports the rules are about.
    expect(lines).toContainEqual({ file: 'webhooks/signature.guard.ts', specifier: '../suki/signature', typeOnly: false });
    expect(lines).toContainEqual({ file: 'suki/artifact-kinds.ts', specifier: '../generated/prisma/enums', typeOnly: true });
    expect(violations(lines)).toEqual([]);
  });

  it('leaves the access audit table to audit/', () => {
    const writers = sourceFiles().filter(
      (file) =>
        folderOf(file) !== 'audit' &&
        !file.endsWith('.spec.ts') &&
        // Known: subscription changes commit with their audit records in one statement list; to move into AuditService.
        file !== 'push/subscriptions.repository.ts' &&
        /\baccess_?audit\b/i.test(readFileSync(join(SRC, file), 'utf8')),
    );
    expect(writers).toEqual([]);
    // Not vacuous: the audit's own repository does name it.
    expect(readFileSync(join(SRC, 'audit/audit.repository.ts'), 'utf8')).toMatch(/\baccess_?audit\b/i);
  });

  it('leaves the writes of the artifacts queue to work-queue/', () => {
    const writers = sourceFiles().filter(
      (file) => folderOf(file) !== 'work-queue' && !file.endsWith('.spec.ts') && writesArtifacts(readFileSync(join(SRC, file), 'utf8')),
    );
    expect(writers).toEqual([]);
    // Not vacuous: the queue's own repository does write it.
    expect(writesArtifacts(readFileSync(join(SRC, 'work-queue/work-queue.repository.ts'), 'utf8'))).toBe(true);
  });

  it.each([
    'UPDATE artifacts SET status = $1',
    'UPDATE artifacts a\n  SET locked_until = NULL',
    'INSERT INTO artifacts AS a (kind) VALUES ($1)',
    'delete from artifacts where id = $1',
    'this.db.artifact.updateMany({ where })',
    'tx.artifact.create({ data })',
  ])('counts as a write of artifacts: %s', (source) => {
    expect(writesArtifacts(source)).toBe(true);
  });

  it.each(['SELECT count(*) FROM artifacts', 'UPDATE sessions s FROM artifacts a', 'this.db.artifact.findMany({ where })'])(
    'does not count as a write of artifacts: %s',
    (source) => {
      expect(writesArtifacts(source)).toBe(false);
    },
  );

  it.each([
    ['webhooks/handlers/x.handler.ts', "import { resolveLink } from '../../retrieval/link-policy';"],
    ['retrieval/retrieval.service.ts', "import { mapSukiSessionStatus } from '../webhooks/status-mapping';"],
    ['common/openapi.ts', "import { BEARER_SCHEME } from '../api/bearer.guard';"],
    ['common/x.ts', "import { AppConfig } from '../config/app-config';"],
    ['suki/notification.ts', "import { SessionStatus } from '../generated/prisma/enums';"],
    ['suki/x.ts', "import { Injectable } from '@nestjs/common';"],
    ['suki/x.ts', "import {\n  Clock,\n} from '../common/clock';"],
    ['suki/x.ts', "export { Clock } from '../common/clock';"],
    ['suki/x.ts', "const x = require('../common/clock');"],
    ['registration/x.controller.ts', "import { SessionsRepository } from '../query/sessions.repository';"],
    ['metrics/x.repository.ts', "import type { X } from '../retrieval/retrieval.repository';"],
  ])('refuses %s: %s', (file, source) => {
    expect(violations(importLines(file, source))).toHaveLength(1);
  });

  it.each([
    ['webhooks/x.ts', "import { resolveLink } from '../suki/link-policy';"],
    ['retrieval/x.ts', "import { Clock } from '../common/clock';"],
    ['common/x.ts', "import { errorBody } from './http-error';\nimport helmet from 'helmet';"],
    ['suki/x.ts', "import type { SessionStatus } from '../generated/prisma/enums';\nimport { createHmac } from 'node:crypto';"],
    ['suki/x.spec.ts', "import { SIGNED_VECTORS } from '../../test/support/suki-vectors';"],
    ['query/x.controller.ts', "import { SessionsRepository } from './sessions.repository';"],
    ['webhooks/handlers/x.ts', "import { IntakeRepository } from '../intake.repository';"],
  ])('allows %s: %s', (file, source) => {
    expect(violations(importLines(file, source))).toEqual([]);
  });

  const lines = (files: Record<string, string>): ImportLine[] =>
    Object.entries(files).flatMap(([file, source]) => importLines(file, source));

  it.each([
    ['directly', { 'a/x.ts': "import { y } from '../b/y';", 'b/y.ts': "import type { X } from '../a/x';" }],
    [
      'through a third folder',
      { 'a/x.ts': "import { y } from '../b/y';", 'b/y.ts': "import { z } from '../c/z';", 'c/z.ts': "import { x } from '../a/x';" },
    ],
    ['from a nested file', { 'a/x/y.ts': "import { z } from '../../b/z';", 'b/z.ts': "export { x } from '../a/x/x';" }],
  ])('refuses folders that import each other %s', (_how, files) => {
    const found = violations(lines(files));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^folders a, b(, c)? depend on each other: /);
  });

  it('allows imports that go one way only, and the boot files directly in src/ either way', () => {
    const found = violations(
      lines({
        'a/x.ts': "import { y } from '../b/y';\nimport { z } from '../c/z';",
        'b/y.ts': "import { z } from '../c/z';\nimport { m } from '../memory';",
        'app.module.ts': "import { x } from './a/x';\nimport { y } from './b/y';",
      }),
    );
    expect(found).toEqual([]);
  });
});
