import { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/load-config';
import type { AuditActor } from '../../src/api/actor';
import { ConsoleSubscriptions, ConsoleSubscriptionView, ConsolePushDeliveryView } from '../../src/console/console-providers';
import { TEST_WEBHOOK_SECRET } from './test-app';

/**
 * The production application with the console's push provider replaced, as the push module will
 * replace it: the same module and configureApp, one provider overridden the Nest way.
 */
export async function startAppWithSubscriptions(
  databaseUrl: string,
  env: Record<string, string>,
  subscriptions: ConsoleSubscriptions,
): Promise<{ app: INestApplication; baseUrl: string; close(): Promise<void> }> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'test-spool-'));
  const config = loadConfig({
    SUKI_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
    SUKI_API_TOKEN: 'test-suki-token',
    SUKI_API_BASE_URL: 'http://127.0.0.1:9',
    RETRIEVAL_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    SPOOL_DIR: spoolDir,
    ...env,
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: 'false',
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] })
    .overrideProvider(ConsoleSubscriptions)
    .useValue(subscriptions)
    .compile();
  const app = moduleRef.createNestApplication(new ExpressAdapter(), { bodyParser: false, rawBody: true, logger: ['error'] });
  await configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  return {
    app,
    baseUrl: `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`,
    close: async () => {
      await app.close();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

/** Push subscriptions in memory, recording every action and who took it. */
export class FakeSubscriptions extends ConsoleSubscriptions {
  readonly unavailable = undefined;
  readonly actions: Array<{ action: string; id: string; client: string; after?: string }> = [];
  readonly items: ConsoleSubscriptionView[] = [];
  readonly deliveries: ConsolePushDeliveryView[] = [];

  list(): Promise<ConsoleSubscriptionView[]> {
    return Promise.resolve(this.items.map((item) => ({ ...item })));
  }
  deliveriesOfSession(): Promise<ConsolePushDeliveryView[]> {
    return Promise.resolve(this.deliveries);
  }
  pause(id: string, actor: AuditActor): Promise<void> {
    this.set(id, 'paused');
    return this.record('pause', id, actor);
  }
  resume(id: string, actor: AuditActor): Promise<void> {
    this.set(id, 'active');
    return this.record('resume', id, actor);
  }
  replay(id: string, after: string, actor: AuditActor): Promise<void> {
    return this.record('replay', id, actor, after);
  }
  async rotateSecret(id: string, actor: AuditActor): Promise<{ secret: string }> {
    await this.record('rotate', id, actor);
    return { secret: `whsec_${Buffer.from(`rotated-${this.actions.length}`).toString('base64')}` };
  }
  sendTest(id: string, actor: AuditActor): Promise<void> {
    return this.record('test', id, actor);
  }

  private set(id: string, status: ConsoleSubscriptionView['status']): void {
    const item = this.items.find((candidate) => candidate.id === id);
    if (item) item.status = status;
  }
  private record(action: string, id: string, actor: AuditActor, after?: string): Promise<void> {
    this.actions.push({ action, id, client: actor.client, ...(after === undefined ? {} : { after }) });
    return Promise.resolve();
  }
}
