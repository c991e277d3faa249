import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { WorkSignalModule } from '../common/work-signal';
import { RetrievalRepository } from './retrieval.repository';
import { RetrievalService } from './retrieval.service';
import { RetrievalWorker } from './retrieval.worker';
import { SukiClient } from './suki.client';

/** Background retrieval of the artifacts intake queued: worker → Suki client → artifacts. */
@Module({
  imports: [HttpModule, WorkSignalModule],
  providers: [RetrievalRepository, SukiClient, RetrievalService, RetrievalWorker],
})
export class RetrievalModule {}
