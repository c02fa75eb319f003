import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { liveSessions } from '../services/console-sessions.ts';
import { API_KEY_CACHE_TTL_MS, stillAuthenticating } from '../services/merchants.ts';
import { tokenOfSessionCredential } from './console-session.ts';

/**
 * Long-lived connections (graphql-ws sockets, SSE streams) are authenticated once, when they open. This
 * checks their keys again every `intervalMs` and ends the connections whose key has been revoked (or deleted)
 * since (and the console sessions that expired or were signed out): a revoked key stops receiving payment events within that interval, as it stops working for requests
 * within the API-key cache's lifetime. One statement per round for all keys, read from the database rather
 * than the cache (a round of one lookup per key put a burst of queries on the pool every few seconds, which
 * bench:subscriptions saw as latency). A round in which the database cannot be reached changes nothing: an
 * outage must not cut every subscriber.
 */

export type CredentialSweep = {
  /** Watches a connection's key; `end` is called once if the key stops authenticating. Returns the "stop watching". */
  track(authorization: string, end: () => void): () => void;
  start(): void;
  stop(): void;
  /** One round now (tests); resolves when every key has been checked. */
  sweep(): Promise<void>;
};

export function createCredentialSweep(options: { db: Database; logger: Logger; intervalMs?: number }): CredentialSweep {
  const { db, logger } = options;
  const intervalMs = options.intervalMs ?? API_KEY_CACHE_TTL_MS;
  const connections = new Map<string, Set<() => void>>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  /** Keys and console sessions (console-session.ts), each in one statement. */
  async function stillValid(tracked: readonly string[]): Promise<Set<string>> {
    const sessions = new Map(tracked.flatMap((credential) => {
      const token = tokenOfSessionCredential(credential);
      return token === undefined ? [] : [[token, credential] as const];
    }));
    const authorizations = tracked.filter((credential) => tokenOfSessionCredential(credential) === undefined);
    const [validKeys, validSessions] = await Promise.all([
      authorizations.length > 0 ? stillAuthenticating(db, authorizations) : new Set<string>(),
      sessions.size > 0 ? liveSessions(db, [...sessions.keys()]) : new Set<string>(),
    ]);
    return new Set([...validKeys, ...[...validSessions].flatMap((token) => sessions.get(token) ?? [])]);
  }

  async function sweep(): Promise<void> {
    const tracked = [...connections.keys()];
    if (tracked.length === 0) return;
    let valid: Set<string>;
    try {
      valid = await stillValid(tracked);
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not re-check the keys of open subscriptions');
      return;
    }
    for (const authorization of tracked) {
      const ends = connections.get(authorization);
      if (valid.has(authorization) || !ends) continue;
      connections.delete(authorization);
      logger.info({ connections: ends.size }, 'API key no longer valid: ending its open subscriptions');
      for (const end of ends) end();
    }
  }

  return {
    track(authorization, end) {
      let ends = connections.get(authorization);
      if (!ends) {
        ends = new Set();
        connections.set(authorization, ends);
      }
      ends.add(end);
      return () => {
        const current = connections.get(authorization);
        if (!current?.delete(end)) return;
        if (current.size === 0) connections.delete(authorization);
      };
    },
    start() {
      timer ??= setInterval(() => {
        running ??= sweep().finally(() => {
          running = undefined;
        });
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    sweep,
  };
}
