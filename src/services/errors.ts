import type { TransactionStatus } from '../domain/status.ts';

/**
 * Errors a caller is meant to see. Services throw them; the GraphQL layer maps each class to its type in
 * the public `Error` interface, and every other error is masked and logged.
 */
export abstract class UserError extends Error {
  abstract readonly code: string;
}

export type FieldProblem = { path: string[]; message: string };

export class ValidationFailedError extends UserError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly fields: FieldProblem[]) {
    super(fields.length === 1 ? `${fields[0]?.path.join('.')}: ${fields[0]?.message}` : `${fields.length} fields are invalid`);
  }
}

export class NotFoundError extends UserError {
  readonly code = 'NOT_FOUND';
  constructor(what = 'transaction') {
    super(`${what} not found`);
  }
}

export class InvalidStateError extends UserError {
  readonly code = 'INVALID_STATE';
  constructor(
    readonly currentStatus: TransactionStatus,
    message: string,
  ) {
    super(message);
  }
}

export class IdempotencyConflictError extends UserError {
  readonly code = 'IDEMPOTENCY_CONFLICT';
  constructor() {
    super('this idempotencyKey was already used with a different request');
  }
}

/** The caller's key may not do this (e.g. a merchant key naming a merchant: only ADMIN keys choose one). */
export class ForbiddenError extends UserError {
  readonly code = 'FORBIDDEN';
}

/** A refund larger than what is still refundable (the captured amount less refunds succeeded or in flight). */
export class AmountExceedsRefundableError extends UserError {
  readonly code = 'AMOUNT_EXCEEDS_REFUNDABLE';
  constructor(
    readonly refundableMinor: bigint,
    readonly currency: string,
  ) {
    super(
      refundableMinor === 0n
        ? 'nothing is left to refund: earlier refunds (succeeded or in flight) hold the whole captured amount'
        : 'the amount exceeds what is still refundable (the captured amount less refunds succeeded or in flight)',
    );
  }
}
