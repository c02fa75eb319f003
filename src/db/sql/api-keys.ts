import { sql, type SqlSession } from '../session.ts';

/**
 * Revoking API keys. Every revocation signals API_KEYS_CHANNEL in its own statement, so PostgreSQL delivers it to
 * every listening instance only once the revocation is committed: they forget the keys they remember and re-check
 * their open streams at once (src/http/server.ts), whichever process revoked (a server, the CLI).
 */

export const API_KEYS_CHANNEL = 'paystream_api_keys';

const REVOKE_API_KEYS = sql<{ id: string; signalled: string }>(
  `WITH revoked AS (
     UPDATE api_keys SET revoked_at = now() WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL RETURNING id
   )
   SELECT id::text AS id, pg_notify('${API_KEYS_CHANNEL}', '')::text AS signalled FROM revoked`,
);

/** Revokes the keys among `ids` still valid; returns the ids it revoked (already revoked ones are left as they are). */
export async function revokeApiKeyRows(session: SqlSession, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await session.query(REVOKE_API_KEYS, [ids]);
  return rows.map((row) => row.id);
}

const REVOKE_OLDER_BOOTSTRAP_KEYS = sql<{ id: string; signalled: string }>(
  `WITH current_key AS (SELECT created_at, id FROM api_keys WHERE id = $1::uuid),
   revoked AS (
     UPDATE api_keys AS k SET revoked_at = now() FROM current_key AS c
     WHERE k.source = 'BOOTSTRAP' AND k.revoked_at IS NULL AND (k.created_at, k.id) < (c.created_at, c.id)
     RETURNING k.id
   )
   SELECT id::text AS id, pg_notify('${API_KEYS_CHANNEL}', '')::text AS signalled FROM revoked`,
);

/**
 * Revokes every start-up ADMIN key registered before `currentId` (by creation time, then id): the newest one wins,
 * so two instances starting at once with the old and the new ADMIN_API_KEY end with the new one valid, never both.
 */
export async function revokeOlderBootstrapKeys(session: SqlSession, currentId: string): Promise<string[]> {
  const rows = await session.query(REVOKE_OLDER_BOOTSTRAP_KEYS, [currentId]);
  return rows.map((row) => row.id);
}
