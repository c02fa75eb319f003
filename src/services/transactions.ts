import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import { readTransactionsForQuery } from './transaction-reads.ts';
import { isKnownCurrency, parseMoney } from '../domain/money.ts';
import { normaliseReturnUrl } from '../domain/return-url.ts';
import { CANCELLED_BY_ADMIN, CANCELLED_BY_MERCHANT } from '../domain/status.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { awaitPipelined, uuidv7, withPgTransaction } from '../db/session.ts';
import { findIdempotencyRecord, lockIdempotencyKey, readTransactionIssuingSecret, type TransactionWithEvents } from '../db/sql/transaction-creation.ts';
import type { PaymentProduct, Prisma, Transaction } from '../generated/prisma/client.ts';
import { buildRedirectUrl } from '../providers/alipay/redirect.ts';
import type { AlipaySettings } from '../providers/settings.ts';
import {
  IdempotencyConflictError,
  InvalidStateError,
  NotFoundError,
  ValidationFailedError,
  type FieldProblem,
} from './errors.ts';
import { newClientSecret } from './client-secrets.ts';
import { recordRedirectedCreation, transition } from './transitions.ts';

export type ServiceDeps = { db: Database; config: Config; alipay: AlipaySettings };

export type CreateTransactionInput = {
  merchantReference: string;
  amount: { value: string; currency: string };
  returnUrl: string;
  paymentProduct?: PaymentProduct | null;
  idempotencyKey?: string | null;
};

type ValidCreateInput = {
  merchantReference: string;
  amountMinor: bigint;
  currency: string;
  returnUrl: string;
  paymentProduct: PaymentProduct;
  idempotencyKey: string | undefined;
};

// Printable: no control, format, surrogate or unassigned code points.
const PRINTABLE = /^[^\p{C}]+$/u;

export function validateCreateTransaction(input: CreateTransactionInput, config: Config): ValidCreateInput {
  const problems: FieldProblem[] = [];
  const problem = (path: string[], message: string) => problems.push({ path: ['input', ...path], message });

  const reference = input.merchantReference;
  const referenceLength = [...reference].length;
  if (referenceLength < 1 || referenceLength > 64 || !PRINTABLE.test(reference) || reference.trim() !== reference) {
    problem(['merchantReference'], 'must be 1 to 64 printable characters without leading or trailing spaces');
  }

  const currency = input.amount.currency;
  let amountMinor = 0n;
  if (!isKnownCurrency(currency)) {
    problem(['amount', 'currency'], 'must be an ISO 4217 currency code, e.g. EUR');
  } else {
    const parsed = parseMoney(input.amount.value, currency);
    if (!parsed.ok) {
      problem(['amount', 'value'], parsed.error);
    } else if (parsed.minorUnits <= 0n) {
      problem(['amount', 'value'], 'must be greater than zero');
    } else {
      const maximum = parseMoney(config.maxTransactionAmount, currency);
      if (maximum.ok && parsed.minorUnits > maximum.minorUnits) {
        problem(['amount', 'value'], `must not exceed ${config.maxTransactionAmount} ${currency}`);
      } else {
        amountMinor = parsed.minorUnits;
      }
    }
  }

  const returnUrl = normaliseReturnUrl(input.returnUrl);
  if (!returnUrl.ok) problem(['returnUrl'], returnUrl.message);

  const idempotencyKey = input.idempotencyKey ?? undefined;
  if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 255 || !PRINTABLE.test(idempotencyKey))) {
    problem(['idempotencyKey'], 'must be 1 to 255 printable characters');
  }

  if (problems.length > 0 || !returnUrl.ok) throw new ValidationFailedError(problems);
  return {
    merchantReference: reference,
    amountMinor,
    currency,
    returnUrl: returnUrl.url,
    paymentProduct: input.paymentProduct ?? 'ALIPAY',
    idempotencyKey,
  };
}

/** What makes two requests "the same" for idempotency: the validated input, not its spelling. */
function requestFingerprint(input: ValidCreateInput): string {
  const canonical = JSON.stringify([
    input.merchantReference,
    input.amountMinor.toString(),
    input.currency,
    input.returnUrl,
    input.paymentProduct,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** A created (or idempotently found) transaction with its history, and the client secret issued with this answer. */
export type CreatedTransaction = TransactionWithEvents & { clientSecret: string };

/**
 * Creates a transaction, records CREATED, builds the consumer's redirect and moves it to REDIRECTED, with a new client
 * secret: one statement, one round trip (src/db/sql/transactions.ts), atomic on its own. With an idempotency key,
 * concurrent calls are serialised on a transaction-scoped advisory lock of (merchant, key), so exactly one
 * transaction is created per key: BEGIN, lock and the key's record go out together, then the create (or the
 * replay's read) with COMMIT: two round trips.
 */
export async function createTransaction(
  deps: ServiceDeps,
  merchantId: string,
  rawInput: CreateTransactionInput,
  now = new Date(),
): Promise<CreatedTransaction> {
  const input = validateCreateTransaction(rawInput, deps.config);
  // The id is ours (a UUIDv7, as Prisma would make), so the signed redirect and the client secret are ready before the row is written.
  const newTransaction = async () => {
    const id = uuidv7(now.getTime());
    const redirectUrl = await buildRedirectUrl(deps.alipay, { id, ...input });
    return { row: { id, merchantId, ...input, redirectUrl, source: 'MERCHANT_API' as const }, issued: newClientSecret(id, now) };
  };
  const { idempotencyKey } = input;
  if (idempotencyKey === undefined) {
    const { row, issued } = await newTransaction();
    const created = await recordRedirectedCreation(deps.db.sql, row, issued.row, undefined);
    return { ...created, clientSecret: issued.secret };
  }
  const requestHash = requestFingerprint(input);
  return withPgTransaction(deps.db.pool, async (session) => {
    const [, record] = await awaitPipelined([lockIdempotencyKey(session, merchantId, idempotencyKey), findIdempotencyRecord(session, merchantId, idempotencyKey)]);
    if (record && record.expiresAt > now) {
      if (record.requestHash !== requestHash) throw new IdempotencyConflictError();
      const replay = newClientSecret(record.transactionId, now);
      const [found] = await awaitPipelined([readTransactionIssuingSecret(session, record.transactionId, replay.row), session.commit()]);
      if (!found) throw new Error(`idempotency record of ${merchantId} points at a missing transaction ${record.transactionId}`);
      return { ...found, clientSecret: replay.secret };
    }
    const { row, issued } = await newTransaction();
    const expiresAt = new Date(now.getTime() + deps.config.idempotencyTtlHours * 3_600_000);
    const [created] = await awaitPipelined([recordRedirectedCreation(session, row, issued.row, { key: idempotencyKey, requestHash, expiresAt }), session.commit()]);
    return { ...created, clientSecret: issued.secret };
  });
}

/** Who cancels: a merchant (its own transactions only) or ADMIN (any); the history records which. */
export type Canceller = { role: 'MERCHANT'; merchantId: string } | { role: 'ADMIN' };

/**
 * Cancel: only from CREATED or REDIRECTED; after that the money is moving. The state machine decides under
 * the row lock, so a cancel racing a capture sees the capture and is refused. Recorded as who acted: source
 * MERCHANT_API with reason CANCELLED_BY_MERCHANT, or ADMIN_API with CANCELLED_BY_ADMIN.
 */
export async function cancelTransaction(deps: ServiceDeps, canceller: Canceller, transactionId: string): Promise<Transaction> {
  const outcome = await transition(
    deps.db,
    canceller.role === 'ADMIN'
      ? { transactionId, target: 'CANCELLED', source: 'ADMIN_API', reason: CANCELLED_BY_ADMIN }
      : { transactionId, target: 'CANCELLED', source: 'MERCHANT_API', reason: CANCELLED_BY_MERCHANT, merchantId: canceller.merchantId },
  );
  if (outcome.kind === 'applied') return outcome.transaction;
  if (outcome.kind === 'not_found') throw new NotFoundError();
  const { status } = outcome.transaction;
  throw new InvalidStateError(status, `a ${status} transaction cannot be cancelled: only CREATED and REDIRECTED can`);
}

/** Removes idempotency records past their retention. */
export async function purgeExpiredIdempotencyRecords(db: Database, now = new Date()): Promise<number> {
  const { count } = await db.prisma.idempotencyRecord.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}

/** A Prisma selection for a transaction, as Pothos derives it from the GraphQL selection set. */
export type TransactionQuery = { select?: Prisma.TransactionSelect; include?: Prisma.TransactionInclude };

type TransactionLoader = DataLoader<string, Transaction | null>;

/** Distinct selections remembered per database; past this the set starts again (clients can vary shapes at will). */
const MAX_LOADED_SELECTIONS = 500;
/** One statement asks for at most this many ids. */
const MAX_BATCH_IDS = 200;
const transactionLoaders = new WeakMap<Database, Map<string, TransactionLoader>>();

/**
 * One transaction by id, as the merchant (or, with no merchant, an ADMIN) may see it; null when absent or another
 * merchant's. Lookups of the same selection that arrive within one turn of the event loop, from any request, are
 * answered by one `WHERE id = ANY(...)` statement (prepared, src/db/sql/transaction-reads.ts, for the selections
 * it covers): under concurrency most of the cost of a lookup is the statement's fixed cost (the driver, a loopback
 * round trip, PostgreSQL's parse and plan), not its rows (bench:read).
 * Nothing is cached between turns, so a lookup never sees older data than a statement issued at that moment would.
 * The tenant check is on the row itself (its merchant must be the caller's), never on which batch it came from.
 */
export async function findTransaction(db: Database, query: TransactionQuery, id: string, merchantId: string | undefined): Promise<Transaction | null> {
  const selection: TransactionQuery = query.select ? { select: { ...query.select, merchantId: true } } : query;
  const row = await transactionLoader(db, selection).load(id);
  return row && (merchantId === undefined || row.merchantId === merchantId) ? row : null;
}

function transactionLoader(db: Database, selection: TransactionQuery): TransactionLoader {
  let loaders = transactionLoaders.get(db);
  if (!loaders) {
    loaders = new Map();
    transactionLoaders.set(db, loaders);
  }
  const shape = JSON.stringify(selection);
  let loader = loaders.get(shape);
  if (!loader) {
    if (loaders.size >= MAX_LOADED_SELECTIONS) loaders.clear();
    loader = new DataLoader<string, Transaction | null>(
      async (ids) => {
        const rows = await readTransactionsForQuery(db, selection, ids);
        const byId = new Map(rows.map((row) => [row.id, row]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      // No cache: each turn reads afresh (the same id twice in one turn is still read once, above).
      { cache: false, maxBatchSize: MAX_BATCH_IDS, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
    );
    loaders.set(shape, loader);
  }
  return loader;
}
