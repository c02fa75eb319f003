import {
  IdempotencyConflictError,
  InvalidStateError,
  NotFoundError,
  UserError,
  ValidationFailedError,
  type FieldProblem,
} from '../../services/errors.ts';
import { builder } from '../builder.ts';
import { TransactionStatusEnum } from './enums.ts';

/** The public Error interface: every error a caller is meant to handle has a stable `code`. */
export const ErrorInterface = builder.interfaceRef<UserError>('Error').implement({
  description: 'A refusal a caller is meant to handle: every error type of a result union implements it',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'what went wrong, for a person (may change)' }),
    code: t.exposeString('code', { description: 'what went wrong, for a program: stable, e.g. NOT_FOUND, VALIDATION_FAILED' }),
  }),
});

const FieldError = builder.objectRef<FieldProblem>('FieldError').implement({
  description: 'One input field that was refused',
  fields: (t) => ({
    path: t.exposeStringList('path', { description: 'the field, from the argument down, e.g. ["input", "amount", "value"]' }),
    message: t.exposeString('message', { description: 'what it must be' }),
  }),
});

builder.objectType(ValidationFailedError, {
  name: 'ValidationError',
  description: 'The input was refused (code VALIDATION_FAILED); nothing was done',
  interfaces: [ErrorInterface],
  fields: (t) => ({ fields: t.field({ type: [FieldError], description: 'every refused field, each with its reason', resolve: (error) => error.fields }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'Nothing the caller may see has this id (code NOT_FOUND): absent, another merchant’s, or not an id',
  interfaces: [ErrorInterface],
});

builder.objectType(InvalidStateError, {
  name: 'InvalidStateError',
  description: 'Not allowed in the current status (code INVALID_STATE), e.g. cancelling a CAPTURED transaction',
  interfaces: [ErrorInterface],
  fields: (t) => ({ currentStatus: t.field({ type: TransactionStatusEnum, description: 'the status that refused it', resolve: (error) => error.currentStatus }) }),
});

builder.objectType(IdempotencyConflictError, {
  name: 'IdempotencyConflictError',
  description: 'This idempotencyKey was used with another input (code IDEMPOTENCY_CONFLICT); nothing was created',
  interfaces: [ErrorInterface],
});
