import { Global, Module } from '@nestjs/common';
import { HttpLogging } from './http-logging';

@Global()
@Module({
  providers: [HttpLogging],
  exports: [HttpLogging],
})
export class LoggingModule {}
