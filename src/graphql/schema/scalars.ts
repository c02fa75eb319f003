import { GraphQLError, Kind } from 'graphql';
import { isCalendarDate } from '../../domain/calendar.ts';
import { RESULT_JSON_TYPE, builder } from '../builder.ts';

/**
 * Both scalars refuse, with code VALIDATION_FAILED, what the database could not store or compare: years
 * outside 0001-9999 (PostgreSQL has no year 0; JavaScript and ISO-8601 write later years with a sign).
 */

builder.scalarType('DateTime', {
  description:
    'An instant: ISO-8601 date and time with a time zone (`2026-01-31T12:00:00Z`, `2026-01-31T20:00:00+08:00`), ' +
    'from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z; always UTC with milliseconds on output',
  serialize: (value) => value.toISOString(),
  extensions: { [RESULT_JSON_TYPE]: 'string' },
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('Date', {
  description: 'A calendar date, YYYY-MM-DD (proleptic Gregorian, 0001-01-01 to 9999-12-31)',
  // Its answers are written as JSON strings (RESULT_JSON_TYPE): anything else is a bug, not a value to pass on.
  serialize: (value) => {
    if (typeof value !== 'string') throw new TypeError(`Date must serialize a YYYY-MM-DD string, got ${typeof value}`);
    return value;
  },
  extensions: { [RESULT_JSON_TYPE]: 'string' },
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'VALIDATION_FAILED' } });
}

function parseDateTime(value: unknown): Date {
  const instant = typeof value === 'string' && ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(instant)) throw invalid('DateTime must be an ISO-8601 string with a time zone, e.g. 2026-01-31T12:00:00Z');
  if (instant < EARLIEST || instant > LATEST) throw invalid('DateTime must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z');
  return new Date(instant);
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw invalid('Date must be YYYY-MM-DD');
  if (!isCalendarDate(value)) throw invalid(`Date ${value} does not exist`);
  return value;
}
