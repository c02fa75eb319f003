import type { Database } from '../db/client.ts';
import { transactionOfClientSecret } from '../services/client-secrets.ts';
import type { Actor } from '../services/merchants.ts';
import { invalidClientSecretError } from './errors.ts';

/**
 * A publishable key's actor with the transaction its client secret opens (HTTP: `extensions.clientSecret` in the
 * POST body; WebSocket: `clientSecret` in connection_init). One refusal for every secret that opens nothing.
 */
export async function withClientSecret(db: Database, actor: Extract<Actor, { role: 'PUBLISHABLE' }>, clientSecret: unknown): Promise<Actor> {
  const transactionId = await transactionOfClientSecret(db, actor.merchantId, clientSecret);
  if (transactionId === undefined) throw invalidClientSecretError();
  return { ...actor, transactionId };
}
