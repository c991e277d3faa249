import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Clock, SystemClock } from './common/clock';
import { AppConfig } from './config/app-config';
import { ShutdownSignalModule } from './common/shutdown-signal';
import { ConsoleModule } from './console/console.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { PushModule } from './push/push.module';
import { QueryModule } from './query/query.module';
import { RegistrationModule } from './registration/registration.module';
import { RetentionModule } from './retention/retention.module';
import { RetrievalModule } from './retrieval/retrieval.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  /** The application for one validated configuration (see runtime.ts for how it is made). */
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ app: config })] }),
        LoggingModule,
        ShutdownSignalModule,
        DatabaseModule,
        MetricsModule,
        HealthModule,
        WebhooksModule,
        QueryModule,
        RegistrationModule,
        EventsModule,
        RetrievalModule,
        RetentionModule,
        PushModule,
        ConsoleModule,
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useClass: SystemClock },
      ],
      exports: [AppConfig, Clock],
    };
  }
}
