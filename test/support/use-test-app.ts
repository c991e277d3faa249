import { apiGet, ApiAnswer, ApiGetOptions } from './api';
import { FakeSukiApi, FakeSukiOptions, startFakeSukiApi } from './fake-suki-api';
import { postDocumentedNotification } from './notifications';
import { forgetContract } from './openapi-contract';
import { startTestApp, TestApp } from './test-app';
import { createTestDatabase, TestDatabase } from './test-database';

export interface UseTestAppOptions {
  /** Added to every app's environment (after the fake Suki's SUKI_API_BASE_URL, so it can override it). */
  env?: Record<string, string>;
  /** Starts a fake Suki API with these options (`true`: the defaults) and points retrieval at it. */
  suki?: FakeSukiOptions | true;
  /** More fake Suki APIs, by name, that the app is NOT pointed at (e.g. a foreign host). */
  otherFakes?: Record<string, FakeSukiOptions>;
  /** Start the app before the tests (default); false leaves starting apps to the tests, through start(). */
  app?: boolean;
  /** `file` (default): one setup for the file; `test`: a fresh database, fakes and app for each test. */
  scope?: 'file' | 'test';
  /** Runs first at teardown, e.g. to undo what a test did to the database server. */
  beforeTearDown?: () => Promise<unknown>;
}

export interface TestAppFixture {
  db: () => TestDatabase;
  /** The app started with the setup (not there with `app: false`). */
  sut: () => TestApp;
  /** The fake Suki API the app retrieves from (only with `suki`). */
  suki: () => FakeSukiApi;
  /** One of `otherFakes`. */
  fake: (name: string) => FakeSukiApi;
  /**
   * Starts another app on the same database (and fake Suki) with the file's env plus `env`;
   * it is closed at teardown unless the test closed it first.
   */
  start: (env?: Record<string, string>) => Promise<TestApp>;
  /** GET on the setup's app with the test bearer token (see api.ts). */
  get: <T = unknown>(path: string, options?: ApiGetOptions) => Promise<ApiAnswer<T>>;
  /** Posts a signed notification to the setup's app that must be accepted (and documented); returns its outcome. */
  post: (body: Record<string, unknown>, generatedAt?: number) => Promise<string>;
}

/**
 * An e2e file's setup, the one way every file gets it: its own clone of the migrated template
 * database, optionally fake Suki APIs, and the production app on an ephemeral port, all started
 * before the file's tests (or each test) and stopped after them, in reverse order.
 */
export function useTestApp(options: UseTestAppOptions = {}): TestAppFixture {
  const perTest = options.scope === 'test';
  let db: TestDatabase | undefined;
  let suki: FakeSukiApi | undefined;
  let sut: TestApp | undefined;
  const fakes = new Map<string, FakeSukiApi>();
  const apps = new Set<TestApp>();

  const envFor = (extra: Record<string, string>) => ({
    ...(suki ? { SUKI_API_BASE_URL: suki.baseUrl } : {}),
    ...options.env,
    ...extra,
  });

  const start = async (extra: Record<string, string> = {}): Promise<TestApp> => {
    if (!db) throw new Error('useTestApp: start() only while the tests run');
    const app = await startTestApp(db.url, envFor(extra));
    apps.add(app);
    // Closing twice (by the test, then at teardown) must not close a Nest app twice.
    const close = app.close.bind(app);
    let closed: Promise<void> | undefined;
    app.close = () => {
      apps.delete(app);
      forgetContract(app.baseUrl);
      closed ??= close();
      return closed;
    };
    return app;
  };

  const setUp = async () => {
    db = await createTestDatabase();
    if (options.suki) suki = await startFakeSukiApi(options.suki === true ? {} : options.suki);
    for (const [name, fakeOptions] of Object.entries(options.otherFakes ?? {})) fakes.set(name, await startFakeSukiApi(fakeOptions));
    if (options.app !== false) sut = await start();
  };

  const tearDown = async () => {
    await options.beforeTearDown?.();
    for (const app of [...apps].reverse()) await app.close();
    for (const fake of fakes.values()) await fake.close();
    fakes.clear();
    await suki?.close();
    await db?.drop();
    sut = suki = db = undefined;
  };

  (perTest ? beforeEach : beforeAll)(setUp);
  (perTest ? afterEach : afterAll)(tearDown);

  const there = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useTestApp: no ${what} (not while the tests run, or not asked for)`);
    return value;
  };

  return {
    db: () => there(db, 'database'),
    sut: () => there(sut, 'app'),
    suki: () => there(suki, 'fake Suki API'),
    fake: (name) => there(fakes.get(name), `fake "${name}"`),
    start,
    get: <T = unknown>(path: string, getOptions?: ApiGetOptions) => apiGet<T>(there(sut, 'app').baseUrl, path, getOptions),
    post: async (body, generatedAt = Date.now()) => {
      const answer = await postDocumentedNotification(there(sut, 'app').baseUrl, body, { generatedAt });
      expect(answer.status).toBeLessThan(300);
      return answer.body.outcome as string;
    },
  };
}
