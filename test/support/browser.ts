import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's chromium, as `command -v chromium` finds it; CI installs it (.ci/run). */
export function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed (apt-get install chromium); the console browser tests need it');
  }
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Chromium headless with a fresh profile of its own, nothing shared with another run, and none of
 * the browser's own traffic (updates, sync, safe browsing), so every request seen is the page's.
 */
export async function openBrowser(options: { javaScriptEnabled?: boolean } = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page that records every request it makes and every CSP violation the browser reports. */
export interface WatchedPage {
  page: Page;
  requests: string[];
  cspViolations: string[];
}

export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const watched: WatchedPage = { page, requests: [], cspViolations: [] };
  page.on('request', (request) => watched.requests.push(request.url()));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) watched.cspViolations.push(message.text());
  });
  return watched;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. The console's CSP
 * refuses inline scripts, so page.addScriptTag (an inline script) cannot inject axe; it is
 * evaluated through the DevTools protocol instead, which a page's CSP does not govern.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // Runs in the page (this project's tsconfig has no DOM types): window.axe over the document.
    const page = globalThis as unknown as {
      axe: { run: (context: unknown, options: object) => Promise<{ violations: unknown[] }> };
      document: unknown;
    };
    return (await page.axe.run(page.document, { resultTypes: ['violations'] })).violations as Array<{
      id: string;
      impact: string | null;
      help: string;
      nodes: Array<{ target: string[] }>;
    }>;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** With CONSOLE_SCREENSHOTS=1 (npm run docs:screenshots), the page as docs/images/<name>.png. */
export async function screenshotForDocs(page: Page, name: string): Promise<void> {
  if (process.env.CONSOLE_SCREENSHOTS !== '1') return;
  const dir = join(__dirname, '..', '..', 'docs', 'images');
  mkdirSync(dir, { recursive: true });
  // caret 'initial': hiding the caret would inject a <style> the console's CSP refuses.
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true, caret: 'initial' });
}
