import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ENCOUNTER_KINDS } from '../../suki/artifact-kinds';
import { resolveLink } from '../../suki/link-policy';
import { ArtifactRequest } from '../intake-record';
import { SukiNotification } from '../../suki/notification';
import { EventMeaning, SessionEventHandler } from './notification-handler';

/** `success`: the note is written. Records the session and queues retrieval of its results. */
@Injectable()
export class SessionCompletedHandler extends SessionEventHandler {
  override readonly handles = 'completed' as const;

  constructor(private readonly config: AppConfig) {
    super();
  }

  protected override meaning(notification: SukiNotification): EventMeaning {
    return {
      knownSessions: notification.sessions.filter((id) => id !== notification.sessionId),
      artifacts: this.requestedArtifacts(notification),
    };
  }

  private requestedArtifacts(notification: SukiNotification): ArtifactRequest[] {
    const requests: ArtifactRequest[] = [];
    for (const kind of this.config.suki.fetchLinks) {
      const href = firstHref(notification.links?.[kind]);
      if (href === undefined) continue;
      const encounterLevel = ENCOUNTER_KINDS.has(kind);
      const decision = resolveLink(href, this.config.suki.apiBaseUrl);
      requests.push({
        kind,
        ownerId: encounterLevel ? notification.encounterId : notification.sessionId,
        sessionId: encounterLevel ? null : notification.sessionId,
        href: href.slice(0, 2048).toWellFormed(),
        refusal: decision.allowed ? undefined : decision.reason,
      });
    }
    return requests;
  }
}

/** `_links` values are arrays of link objects; the first one with an href is used. */
function firstHref(value: unknown): string | undefined {
  const links = Array.isArray(value) ? value : [value];
  for (const link of links) {
    const href = (link as { href?: unknown } | null)?.href;
    if (typeof href === 'string' && href.length > 0) return href;
  }
  return undefined;
}
