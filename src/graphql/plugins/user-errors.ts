import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { UserError } from '../../services/errors.ts';
import { userErrorAsGraphQLError } from '../errors.ts';

/**
 * Errors users see are typed, wherever a service throws them: a UserError (VALIDATION_FAILED, NOT_FOUND,
 * FORBIDDEN, ...) that a field's result union does not list becomes a GraphQL error with its code, instead of
 * reaching Yoga's masking as an unexpected error. Registered after the errors plugin, so it runs inside it:
 * a UserError the union does list is left for that plugin to return as the union's member.
 */
export class UserErrorsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    // A field that exposes a property of its parent runs no service code: nothing to translate, and wrapping it
    // would cost a call on every row of every list (bench:read, #19).
    if (fieldConfig.extensions?.['pothosExposedField'] !== undefined) return resolver;
    return typed(resolver, fieldConfig);
  }

  override wrapSubscribe(
    subscribe: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    return subscribe && typed(subscribe, fieldConfig);
  }
}

function typed<Types extends SchemaTypes>(
  resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
  fieldConfig: PothosOutputFieldConfig<Types>,
): GraphQLFieldResolver<unknown, Types['Context'], object> {
  const unionMembers: unknown[] = (fieldConfig.pothosOptions as { errors?: { types?: unknown[] } }).errors?.types ?? [];
  const translate = (error: unknown): never => {
    if (error instanceof UserError && !unionMembers.some((member) => typeof member === 'function' && error instanceof member)) {
      throw userErrorAsGraphQLError(error);
    }
    throw error;
  };
  return (parent, args, context, info) => {
    let result: unknown;
    try {
      result = resolver(parent, args, context, info);
    } catch (error) {
      return translate(error);
    }
    return result instanceof Promise ? result.catch(translate) : result;
  };
}

const pluginName = 'userErrors';
export default pluginName;

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      userErrors: UserErrorsPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, UserErrorsPlugin);
