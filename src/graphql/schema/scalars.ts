import { GraphQLError, Kind } from 'graphql';
import { isCalendarDate } from '../../domain/calendar.ts';
import { builder } from '../builder.ts';

builder.scalarType('DateTime', {
  description: 'ISO-8601 date and time, always UTC on output',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('Date', {
  description: 'A calendar date, YYYY-MM-DD',
  serialize: (value) => value,
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an ISO-8601 string with a time zone, e.g. 2026-01-31T12:00:00Z');
  }
  return new Date(value);
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new GraphQLError('Date must be YYYY-MM-DD');
  }
  if (!isCalendarDate(value)) throw new GraphQLError(`Date ${value} does not exist`);
  return value;
}
