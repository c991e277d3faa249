import { Module, OnModuleInit } from '@nestjs/common';
import { WorkSignalModule } from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { EventsModule } from '../events/events.module';
import { EventsRetention } from '../events/events-retention';
import { LeasesModule } from '../leases/leases.module';
import { ApiModule } from '../api/api.module';
import { DeliveryClient } from './delivery.client';
import { DispatchRepository } from './dispatch.repository';
import { PushDispatcher } from './push.dispatcher';
import { PushMetrics } from './push.metrics';
import { SecretBox } from './secret-box';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';

/**
 * Push subscriptions: the change feed delivered to internal endpoints. The API (/v1/subscriptions)
 * changes subscriptions; the dispatcher delivers, on whichever replica holds each one's lease.
 */
@Module({
  imports: [ApiModule, EventsModule, LeasesModule, WorkSignalModule],
  controllers: [SubscriptionsController],
  providers: [
    SubscriptionsService,
    SubscriptionsRepository,
    DispatchRepository,
    PushDispatcher,
    PushMetrics,
    { provide: SecretBox, inject: [AppConfig], useFactory: (config: AppConfig) => new SecretBox(config.push.secretKey) },
    { provide: DeliveryClient, inject: [AppConfig], useFactory: (config: AppConfig) => new DeliveryClient(() => config.push.allowedHosts) },
  ],
  // For the operator console, which manages subscriptions through the same service as /v1.
  exports: [SubscriptionsService],
})
export class PushModule implements OnModuleInit {
  constructor(
    private readonly retention: EventsRetention,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  onModuleInit(): void {
    // Attempts are kept exactly as long as the events they delivered.
    this.retention.alsoPurge((days) => this.subscriptions.purgeAttempts(days));
  }
}
