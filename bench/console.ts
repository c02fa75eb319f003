import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EVENTS_CHANNEL } from '../src/db/sql/events.ts';
import { seedTransactions, type SeedTransaction } from '../src/db/sql/seed.ts';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/support/browser.ts';
import { buildConsoleIfStale } from '../test/support/console-build.ts';
import { startTestServer, type TestServer } from '../test/support/server.ts';
import { round, writeBenchResult, type BenchRow } from './lib.ts';

/**
 * The console in Debian's Chromium (playwright-core) against a server started for this run (cold caches, a fresh
 * browser profile):
 * - bundle: the gzip size of what the first load transfers (the page, its script and style), and of the charts'
 *   chunk loaded by the Reports page only;
 * - first load: navigation start -> the sign-in form shown; sign-in -> the Live page connected; both from the
 *   browser's own clock (performance.now());
 * - the live feed at RATE status changes per second for SECONDS seconds (createTransaction over HTTP: CREATED and
 *   REDIRECTED, 2 changes each, RATE/2 transactions per second): every change shown exactly once, the longest gap between two animation frames
 *   while they arrive (a frozen page has long gaps), long tasks, and the delay from the last change sent to it
 *   being counted on screen. The changes are written straight to the event log in batches (seedTransactions), so
 *   the rate is the console's to keep up with, not the write path's (bench:create, bench:ingest measure that).
 */

const RATE = Number(process.env['BENCH_RATE'] ?? 200);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const BATCH_MS = 100;
/** Whose Live page takes the feed: a merchant's, an ADMIN's (every merchant, with names), or both in turn. */
const sessions = (process.env['BENCH_SESSIONS'] ?? 'merchant,admin').split(',');

buildConsoleIfStale();
const assets = join(import.meta.dirname, '..', 'console', 'dist');
const gzipped = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length;
const assetFiles = readdirSync(join(assets, 'assets'));
const firstLoadFiles = ['index.html', ...assetFiles.filter((file) => file.startsWith('index-')).map((file) => `assets/${file}`)];
const firstLoadBytes = firstLoadFiles.reduce((sum, file) => sum + gzipped(join(assets, file)), 0);
const chunkBytes = (prefix: string) => assetFiles.filter((file) => file.startsWith(prefix)).reduce((sum, file) => sum + gzipped(join(assets, 'assets', file)), 0);
const chartBytes = chunkBytes('uPlot');
const apiKeysBytes = chunkBytes('ApiKeys-');

/** What one session's Live page did while RATE changes a second arrived. */
type FeedFigures = { sentPerSecond: number; expected: number; shown: number; created: number; maxGap: number; longTasks: number; longestTask: number; catchUpMs: number };

/**
 * Writes RATE status changes a second for SECONDS seconds to `merchantId`'s log and measures the Live page of
 * `page` (signed in, connected) while they arrive.
 */
async function measureFeed(page: Page, server: TestServer, merchantId: string, run: string): Promise<FeedFigures> {
  // Frame gaps and long tasks, recorded in the page while the changes arrive.
  // A string, not a function: tsx would wrap named functions in a helper the page does not have.
  await page.evaluate(`(() => {
    const probe = { maxGap: 0, longTasks: 0, longestTask: 0, last: performance.now(), running: true };
    window.probe = probe;
    const tick = (now) => {
      probe.maxGap = Math.max(probe.maxGap, now - probe.last);
      probe.last = now;
      if (probe.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        probe.longTasks += 1;
        probe.longestTask = Math.max(probe.longestTask, entry.duration);
      }
    }).observe({ type: 'longtask', buffered: false });
  })()`);

  // Status changes written in batches every BATCH_MS: the rate the feed must keep up with, whatever the write path
  // costs on a shared machine (the write path has its own benchmarks: create, ingest).
  const creates = (RATE / 2) * SECONDS;
  const expected = creates * 2;
  const perBatch = (RATE / 2) * (BATCH_MS / 1000);
  const started = Date.now();
  for (let batch = 0; batch * perBatch < creates; batch += 1) {
    const wait = started + batch * BATCH_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const seeds: SeedTransaction[] = Array.from({ length: perBatch }, (_, index) => ({
      merchantId,
      merchantReference: `bench-${run}-${batch}-${index}`,
      history: [{ status: 'REDIRECTED' }],
    }));
    await seedTransactions(server.db.sql, seeds);
    // Seeding writes the log without the commit-time signal the application sends: send it, as a commit would.
    await server.db.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, '']);
  }
  const lastSentAt = Date.now();
  const sentSeconds = (lastSentAt - started) / 1000;
  await page.waitForFunction((count) => document.querySelector('[data-testid="received"]')?.textContent === String(count), expected, { timeout: 60_000 });
  const catchUpMs = Date.now() - lastSentAt;
  const shown = Number(await page.getByTestId('received').textContent());
  const probe = await page.evaluate(() => {
    const figures = (window as unknown as { probe: { maxGap: number; longTasks: number; longestTask: number; running: boolean } }).probe;
    figures.running = false;
    return figures;
  });
  const created = Number(await page.locator('[data-status="CREATED"] .value').textContent());

  return { sentPerSecond: expected / sentSeconds, expected, shown, created, ...probe, catchUpMs };
}

const server = await startTestServer();
const browser = await launchBrowser();
const rows: BenchRow[] = [];
try {
  const merchant = await server.createMerchant('Bench Shop');
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/console`);
  await page.locator('input[name="apiKey"]').waitFor();
  const toSignInForm = await page.evaluate(() => performance.now());
  await page.locator('input[name="apiKey"]').fill(merchant.key);
  const clickedAt = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-connection="live"]').waitFor();
  const toLive = (await page.evaluate(() => performance.now())) - clickedAt;
  const merchantFeed = sessions.includes('merchant') ? await measureFeed(page, server, merchant.merchantId, 'merchant') : undefined;
  // The same feed for an ADMIN session: every merchant's events, each with its merchant's name (Transaction.merchant).
  let adminFeed: FeedFigures | undefined;
  if (sessions.includes('admin')) {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('input[name="apiKey"]').fill(server.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-connection="live"]').waitFor();
    adminFeed = await measureFeed(page, server, merchant.merchantId, 'admin');
  }

  rows.push(
    { figure: 'first load transfer (HTML + JS + CSS, gzip)', value: firstLoadBytes / 1024, unit: 'KiB' },
    { figure: 'charts chunk, Reports page only (uPlot, gzip)', value: chartBytes / 1024, unit: 'KiB' },
    { figure: 'API keys page chunk, loaded on its first visit (gzip)', value: apiKeysBytes / 1024, unit: 'KiB' },
    { figure: 'first load: navigation -> sign-in form shown (cold server, fresh profile)', value: toSignInForm, unit: 'ms', target: '< 1 s', pass: toSignInForm < 1000 },
    { figure: 'sign-in -> Live page connected', value: toLive, unit: 'ms', target: '< 1 s', pass: toLive < 1000 },
  );
  for (const [session, feed] of [
    ['merchant session', merchantFeed],
    ['ADMIN session', adminFeed],
  ] as const) {
    if (feed === undefined) continue;
    rows.push(
      { figure: `${session}: status changes sent (${RATE}/s target)`, value: feed.sentPerSecond, unit: 'changes/s' },
      { figure: `${session}: changes shown (each once)`, value: feed.shown, unit: `of ${feed.expected}`, target: 'all, none twice', pass: feed.shown === feed.expected && feed.created === feed.expected / 2 },
      { figure: `${session}: longest gap between two frames while they arrive`, value: feed.maxGap, unit: 'ms', target: 'no freeze (< 200 ms)', pass: feed.maxGap < 200 },
      { figure: `${session}: long tasks (> 50 ms) while they arrive`, value: feed.longTasks, unit: `(longest ${round(feed.longestTask)} ms)` },
      { figure: `${session}: last change sent -> counted on screen`, value: feed.catchUpMs, unit: 'ms', target: 'keeps up (< 1 s)', pass: feed.catchUpMs < 1000 },
    );
  }
  writeBenchResult({
    name: 'console',
    title: 'console: the operations console in Chromium (first load, bundle, live feed at 200 changes/s for a merchant and an ADMIN session)',
    notes: [
      'Server started for the run (cold caches), fresh Chromium profile (Debian /usr/bin/chromium, headless) via playwright-core; times from the page\'s own performance.now().',
      `Live feed: ${(RATE / 2) * SECONDS} transactions written at ${RATE / 2}/s in batches every ${BATCH_MS} ms (src/db/sql/seed.ts), each 2 status changes (CREATED, REDIRECTED), streamed to the Live page (100 rows kept on screen, counters per status) of a merchant session, then of an ADMIN session (every merchant's events, each with its merchant's name).`,
    ],
    rows,
  });
} finally {
  await browser.close();
  await server.close();
}
