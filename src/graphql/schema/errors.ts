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
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.exposeString('code'),
  }),
});

const FieldError = builder.objectRef<FieldProblem>('FieldError').implement({
  fields: (t) => ({
    path: t.exposeStringList('path'),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationFailedError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ fields: t.field({ type: [FieldError], resolve: (error) => error.fields }) }),
});

builder.objectType(NotFoundError, { name: 'NotFoundError', interfaces: [ErrorInterface] });

builder.objectType(InvalidStateError, {
  name: 'InvalidStateError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ currentStatus: t.field({ type: TransactionStatusEnum, resolve: (error) => error.currentStatus }) }),
});

builder.objectType(IdempotencyConflictError, { name: 'IdempotencyConflictError', interfaces: [ErrorInterface] });
