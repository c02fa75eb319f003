import type { GraphQLError } from 'graphql';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { AlipaySettings } from '../providers/settings.ts';
import type { EventHub } from '../events/hub.ts';
import type { StreamNotice } from '../events/stream.ts';
import type { Actor } from '../services/merchants.ts';

/** What every resolver receives: the caller (already authenticated) and the application's dependencies. */
export type GraphQLContext = {
  db: Database;
  config: Config;
  /** Resolved at start (gateway, keys, our public URLs): createTransaction signs redirects with it. */
  alipay: AlipaySettings;
  actor: Actor;
  /** Live events for subscriptions. */
  events: EventHub;
  /** Set on WebSocket connections: closes the connection with the notice's code and reason. */
  disconnect?: ((notice: StreamNotice) => void) | undefined;
  /**
   * Set by the cost limit (src/http/plugins/query-cost.ts) once the operation passed it: the operation's cost again,
   * with rows a resolver has counted (by field node) in place of what the arguments told; the refusal if it is over.
   */
  recheckCost?: (measured: ReadonlyMap<number, number>) => GraphQLError | undefined;
};
