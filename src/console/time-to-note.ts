import { Injectable } from '@nestjs/common';
import { ConsoleRetrievalTiming, TimeToNote } from './console-providers';
import { ConsoleRepository } from './console.repository';
import { timeToNoteSummary } from './console.views';

/**
 * Time to note for the overview, from the database: every replica's notes of the last hour
 * (the suki_artifact_ready_seconds histogram holds only this process's).
 */
@Injectable()
export class DatabaseTimeToNote extends ConsoleRetrievalTiming {
  constructor(private readonly repository: ConsoleRepository) {
    super();
  }

  async timeToNote(): Promise<TimeToNote | undefined> {
    const summary = timeToNoteSummary(await this.repository.timeToNote());
    return summary === undefined ? undefined : { summary };
  }
}
