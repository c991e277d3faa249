import { Module } from '@nestjs/common';
import { PollsRepository } from './polls.repository';
import { SettlementsRepository } from './settlements.repository';
import { WorkQueue } from './work-queue';
import { WorkQueueRepository } from './work-queue.repository';

/**
 * The one owner of the artifacts queue's writes: claims, completions, retries, failures,
 * settlements, resets and the missed-notification polls. Other features go through WorkQueue.
 */
@Module({
  providers: [WorkQueueRepository, SettlementsRepository, PollsRepository, WorkQueue],
  exports: [WorkQueue],
})
export class WorkQueueModule {}
