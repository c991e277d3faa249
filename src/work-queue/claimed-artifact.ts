import type { ArtifactKind } from '../generated/prisma/enums';

/** An artifact this process has leased and is fetching. */
export interface ClaimedArtifact {
  id: string;
  kind: ArtifactKind;
  ownerId: string;
  sessionId: string | null;
  encounterId: string;
  href: string;
  /** Including the attempt now under way. */
  attempts: number;
  /** Since the first attempt of this request, as the database measured it at the claim: the retry horizon runs on it. */
  elapsedMs: number;
  generation: number;
  /**
   * The lease as the database wrote it. Every write for this claim also requires it, so a
   * worker whose lease ran out and was taken over cannot overwrite the newer worker's result.
   */
  lease: string;
  /** A missed-notification poll (reconcile migration), not work a notification asked for. */
  reconcile: boolean;
}

export interface StatusSettlement {
  /** The artifact was still ours and is now ready. */
  written: boolean;
  /** The session took the status (it had not moved on since the check was requested). */
  settled: boolean;
  /** Result artifacts queued because Suki said `completed` (0 otherwise). */
  requested: number;
}

/** A result to fetch after a status check said `completed` (src/suki/documented-paths.ts). */
export interface ResultRequest {
  kind: ArtifactKind;
  ownerId: string;
  sessionId: string | null;
  href: string;
}
