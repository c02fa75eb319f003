import { afterAll, beforeAll, expect, it } from 'vitest';
import { READ_LOG_HEAD, readLogQuery } from '../../src/db/sql/events.ts';
import { readCommittedEvents, readHead, START_OF_LOG, type LogReadOptions } from '../../src/events/log.ts';
import type { EventPosition } from '../../src/events/cursor.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/**
 * The log read runs after every commit (the relay) and for every resume (replay), so its cost must follow
 * the rows it returns, not the size of the log. Checked on a log of realistic shape: 40,000 events of 20,000
 * transactions over 20 merchants, written by 500 earlier transactions (txids 1..500, all below any horizon).
 * A database of its own: these rows would otherwise be every other test's log too.
 *
 * First with no statistics at all, as after the log grew faster than autovacuum analyses it (the benchmark's
 * case: the statement used to estimate a third of the log below the horizon, then hash-joined and scanned
 * sequentially, 10-20 ms a read); then analysed.
 */

let db: TestDatabase;
let probeMerchant: string;
let tail: EventPosition;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(`INSERT INTO merchants (id, name) SELECT gen_random_uuid(), 'plan-' || n FROM generate_series(1, 20) AS n`);
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id::text FROM merchants WHERE name = 'plan-7'`);
  probeMerchant = rows[0]?.id ?? '';
  await db.pool.query(`
    WITH plan_merchants AS (SELECT array_agg(id ORDER BY name) AS ids FROM merchants),
    seeded AS (
      INSERT INTO transactions (id, merchant_id, merchant_reference, amount_minor, currency, status, return_url, version)
      SELECT gen_random_uuid(), ids[1 + n % 20], 'plan-' || n, 100 + n, 'EUR', 'REDIRECTED', 'https://shop.example/r', 2
      FROM plan_merchants, generate_series(1, 20000) AS n
      RETURNING id, merchant_id, merchant_reference)
    INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, txid)
    SELECT id, merchant_id, sequence, status, previous_status, 'MERCHANT_API', 1 + substr(merchant_reference, 6)::int / 40
    FROM seeded, LATERAL (VALUES (1, 'CREATED'::"TransactionStatus", NULL::"TransactionStatus"), (2, 'REDIRECTED', 'CREATED'))
      AS step(sequence, status, previous_status)`);
  tail = (await readHead(db.sql)).position;
});
afterAll(() => db?.drop());

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
};

type PlanMode = 'force_custom_plan' | 'force_generic_plan';
const MODES: PlanMode[] = ['force_custom_plan', 'force_generic_plan'];

/**
 * The plan of one read, as the prepared statement runs it: planned for these values (custom), or once for
 * any values (generic, which PostgreSQL switches a prepared statement to when it estimates it no worse).
 */
async function plan(query: LogReadOptions | 'head', mode: PlanMode): Promise<{ nodes: PlanNode[]; blocks: number }> {
  const { statement, values } = query === 'head' ? { statement: READ_LOG_HEAD, values: [] } : readLogQuery(query);
  const client = await db.pool.connect();
  try {
    await client.query(`SET plan_cache_mode = ${mode}`);
    await client.query(`PREPARE plan_probe AS ${statement.text}`);
    const literals = values.map((value) => (value === null ? 'NULL' : client.escapeLiteral(Array.isArray(value) ? `{${value.join(',')}}` : String(value))));
    const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE plan_probe${literals.length > 0 ? `(${literals.join(', ')})` : ''}`);
    const root = rows[0]?.['QUERY PLAN'][0]?.Plan;
    const nodes: PlanNode[] = [];
    const walk = (node: PlanNode | undefined) => {
      if (!node) return;
      nodes.push(node);
      node.Plans?.forEach(walk);
    };
    walk(root);
    // The root's buffer counts include every node below it, subplans too.
    return { nodes, blocks: (root?.['Shared Hit Blocks'] ?? 0) + (root?.['Shared Read Blocks'] ?? 0) };
  } finally {
    await client.query('DEALLOCATE plan_probe').catch(() => undefined);
    await client.query('RESET plan_cache_mode');
    client.release();
  }
}

const summary = (nodes: PlanNode[]) => JSON.stringify(nodes.map((node) => [node['Node Type'], node['Relation Name']]));
const sequential = (nodes: PlanNode[]) => nodes.filter((node) => node['Node Type'] === 'Seq Scan');
// An ordered index scan: a bitmap scan would collect every row after the cursor and sort them all.
const eventScans = (nodes: PlanNode[]) => nodes.filter((node) => node['Relation Name'] === 'transaction_events').map((node) => node['Node Type']);

async function expectCheapRelayRead(): Promise<void> {
  for (const mode of MODES) {
    const { nodes, blocks } = await plan({ after: tail, limit: 500 }, mode);
    expect(sequential(nodes), `${mode} ${summary(nodes)}`).toEqual([]);
    // The whole log is hundreds of pages (transactions and events); reading nothing new must not touch them.
    expect(blocks, `${mode} ${summary(nodes)}`).toBeLessThan(20);
    // Without subscribers the relay reads only the head: as cheap.
    const head = await plan('head', mode);
    expect(sequential(head.nodes), `${mode} head ${summary(head.nodes)}`).toEqual([]);
    expect(head.blocks, `${mode} head ${summary(head.nodes)}`).toBeLessThan(20);
  }
}

it('the relay at the head of a large, unanalysed log touches a handful of pages', async () => {
  await expectCheapRelayRead();
});

it('once analysed: the relay read stays cheap, and a replay page reads in index order, for one merchant and for all', async () => {
  await db.pool.query('ANALYZE transactions');
  await db.pool.query('ANALYZE transaction_events');
  await expectCheapRelayRead();
  for (const mode of MODES) {
    for (const merchantId of [probeMerchant, undefined]) {
      const { nodes, blocks } = await plan({ after: START_OF_LOG, limit: 200, merchantId }, mode);
      const label = `${mode} ${merchantId ?? 'all'} ${summary(nodes)}`;
      expect(sequential(nodes), label).toEqual([]);
      expect(eventScans(nodes).every((type) => type === 'Index Scan' || type === 'Index Only Scan'), label).toBe(true);
      // 200 events and their 200 transactions: well under the log's size.
      expect(blocks, label).toBeLessThan(1_000);
    }
  }
});

it('the plan-shaped log reads correctly: a merchant page in order, the horizon respected', async () => {
  const page = await readCommittedEvents(db, { after: START_OF_LOG, limit: 200, merchantId: probeMerchant });
  expect(page).toHaveLength(200);
  expect(page.every((item) => item.event.merchantId === probeMerchant && item.transaction.merchantId === probeMerchant)).toBe(true);
  const positions = page.map((item) => item.position);
  const sorted = [...positions].sort((a, b) => (a.txid === b.txid ? Number(a.id - b.id) : Number(a.txid - b.txid)));
  expect(positions).toEqual(sorted);
  expect(await readCommittedEvents(db, { after: tail, limit: 500 })).toEqual([]);
});
