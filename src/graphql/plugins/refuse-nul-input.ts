import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { ValidationFailedError } from '../../services/errors.ts';
import { invalidArgument } from '../errors.ts';

/**
 * A Pothos plugin for one class of bad input: text PostgreSQL cannot hold. Its text types refuse U+0000
 * (NUL), so a String or ID argument carrying one (a filter, a cursor, a reason) used to fail inside the
 * database as a masked internal error. Every field's arguments, nested input fields and lists included, are
 * checked before its resolver or subscribe function runs: VALIDATION_FAILED naming the argument's path, as
 * a ValidationError member where the field's result union has one, else as a GraphQL error.
 */

const NUL = '\u0000';

function pathOfNul(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = pathOfNul(item, [...path, String(index)]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      const found = pathOfNul(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

export class RefuseNulInputPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    return guarded(resolver, fieldConfig);
  }

  override wrapSubscribe(
    subscribe: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    return subscribe && guarded(subscribe, fieldConfig);
  }
}

function guarded<Types extends SchemaTypes>(
  resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
  fieldConfig: PothosOutputFieldConfig<Types>,
): GraphQLFieldResolver<unknown, Types['Context'], object> {
  if (Object.keys(fieldConfig.args).length === 0) return resolver;
  const errorTypes: unknown[] = (fieldConfig.pothosOptions as { errors?: { types?: unknown[] } }).errors?.types ?? [];
  const inResultUnion = errorTypes.includes(ValidationFailedError);
  return (parent, args, context, info) => {
    const path = pathOfNul(args, []);
    if (path !== undefined) {
      const message = 'must not contain the NUL character (U+0000)';
      // Thrown inside the errors plugin's wrapper (this plugin is registered after it), so it is caught there.
      throw inResultUnion ? new ValidationFailedError([{ path, message }]) : invalidArgument(path, message);
    }
    return resolver(parent, args, context, info);
  };
}

const pluginName = 'refuseNulInput';
export default pluginName;

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      refuseNulInput: RefuseNulInputPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, RefuseNulInputPlugin);
