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
  }
  return found;
}

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .map((file) => file.split(sep).join('/'))
    .filter((file) => file.endsWith('.ts') && !file.startsWith('generated/'));
}

describe('module boundaries', () => {
  it('hold for every import in src/', () => {
    const lines = sourceFiles().flatMap((file) => importLines(file, readFileSync(join(SRC, file), 'utf8')));
    // Not vacuous: the scan does see the imports the rules are about.
    expect(lines).toContainEqual({ file: 'webhooks/signature.guard.ts', specifier: '../suki/signature', typeOnly: false });
    expect(lines).toContainEqual({ file: 'suki/artifact-kinds.ts', specifier: '../generated/prisma/enums', typeOnly: true });
    expect(violations(lines)).toEqual([]);
  });

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
  ])('refuses %s: %s', (file, source) => {
    expect(violations(importLines(file, source))).toHaveLength(1);
  });

  it.each([
    ['webhooks/x.ts', "import { resolveLink } from '../suki/link-policy';"],
    ['retrieval/x.ts', "import { Clock } from '../common/clock';"],
    ['common/x.ts', "import { errorBody } from './http-error';\nimport helmet from 'helmet';"],
    ['suki/x.ts', "import type { SessionStatus } from '../generated/prisma/enums';\nimport { createHmac } from 'node:crypto';"],
    ['suki/x.spec.ts', "import { SIGNED_VECTORS } from '../../test/support/suki-vectors';"],
  ])('allows %s: %s', (file, source) => {
    expect(violations(importLines(file, source))).toEqual([]);
  });
});
