/**
 * The requested_at of a missed-notification poll (a `status` artifact the reconcile migration
 * introduced): before every notification, so that any notification's request takes it over.
 * Registration writes such polls, retrieval tells them from fetches, and the backlog metric
 * leaves them out: a shared fact of the artifacts table, so it lives beside the database.
 */
export const RECONCILE_REQUESTED_AT = '1970-01-01T00:00:00Z';
