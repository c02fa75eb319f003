import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { EventHub } from '../events/hub.ts';
import type { Logger } from '../logger.ts';
import type { CredentialSweep } from './credential-sweep.ts';
import type { RejectionCounter } from '../services/notifications/rejections.ts';
import type { RateLimiter } from './rate-limit.ts';
import { SHUTDOWN_CLOSE_CODE, type WebSockets } from './websocket.ts';

export type ShutdownDeps = {
  server: Server;
  webSockets: WebSockets;
  events: EventHub;
  credentials: CredentialSweep;
  rateLimiters: readonly RateLimiter[];
  /** Written last, once no handler can count another refusal (the database is closed after this). */
  rejections: RejectionCounter;
  logger: Logger;
  /** Handlers still running, even for clients that hung up: the database must not be closed under them. */
  handlers: ReadonlySet<Promise<void>>;
  /** Readiness turns 503, upgrades are refused, keep-alive connections get `connection: close`. */
  startDraining: () => void;
};

/**
 * Graceful stop: stop accepting connections, report not-ready, close WebSockets with 1012 (service restart:
 * graphql-ws clients reconnect, to another instance), end SSE streams, let in-flight requests finish for up
 * to `timeoutMs`, then cut what is left. Returns the function that does it (once: later calls share it).
 */
export function prepareShutdown(deps: ShutdownDeps): (timeoutMs: number) => Promise<{ cutConnections: number }> {
  const { server, webSockets, events, credentials, rateLimiters, rejections, logger, handlers } = deps;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function shutdown(timeoutMs: number): Promise<{ cutConnections: number }> {
    deps.startDraining();
    credentials.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    webSockets.closeAll(SHUTDOWN_CLOSE_CODE, 'server restarting');
    // SSE subscribers get a last SERVER_SHUTTING_DOWN event, which ends their streams (clients reconnect to
    // another instance and resume); then the relay and pub/sub stop. What still hangs is cut at the timeout.
    await events.close();
    server.closeIdleConnections();
    // Keep-alive connections turn idle as their in-flight request completes: close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const drained = closed.then(() => Promise.all(handlers)).then(() => 'drained' as const);
    const outcome = await Promise.race([drained, timedOut]);
    clearInterval(sweep);
    clearTimeout(timer);
    const cutConnections = outcome === 'timeout' ? sockets.size : 0;
    if (outcome === 'timeout') {
      logger.warn({ connections: sockets.size }, 'shutdown timeout reached; cutting the remaining connections');
      webSockets.terminateAll();
      for (const socket of sockets) socket.destroy();
      await closed;
    }
    await webSockets.dispose();
    await Promise.all(rateLimiters.map((limiter) => limiter.close()));
    await rejections.stop();
    return { cutConnections };
  }

  let closing: Promise<{ cutConnections: number }> | undefined;
  return (timeoutMs) => {
    closing ??= shutdown(timeoutMs);
    return closing;
  };
}
