/**
 * The load generator of bench/ingest.ts, in a worker thread: it plays the senders (Alipay, the reconciler),
 * so its HTTP client work runs beside the server instead of competing with it on one event loop.
 */
import { request, type Agent } from 'node:http';
import { parentPort } from 'node:worker_threads';
import { keepAliveAgent, runConcurrent } from './lib.ts';

export type PreparedRequest = { path: string; headers: Record<string, string>; body: Uint8Array };
export type SenderJob = { port: number; concurrency: number; requests: PreparedRequest[] };
export type SenderResult = { latenciesMs: number[]; perSecond: number; failures: string[] };

function post(agent: Agent, port: number, prepared: PreparedRequest, failures: string[]): Promise<void> {
  return new Promise((resolve) => {
    const outgoing = request(
      { host: '127.0.0.1', port, path: prepared.path, method: 'POST', agent, headers: { ...prepared.headers, 'content-length': String(prepared.body.length) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) failures.push(`${prepared.path}: ${response.statusCode} ${Buffer.concat(chunks).toString()}`);
          resolve();
        });
      },
    );
    outgoing.on('error', (error) => {
      failures.push(`${prepared.path}: ${error.message}`);
      resolve();
    });
    outgoing.end(prepared.body);
  });
}

parentPort?.on('message', async (job: SenderJob) => {
  const agent = keepAliveAgent(job.concurrency);
  const failures: string[] = [];
  const run = await runConcurrent(job.requests.length, job.concurrency, (index) => post(agent, job.port, job.requests[index] as PreparedRequest, failures));
  agent.destroy();
  const result: SenderResult = { latenciesMs: run.latenciesMs, perSecond: run.perSecond, failures: failures.slice(0, 5) };
  parentPort?.postMessage(result);
});
