import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Config } from '../../config.ts';
import { useNoSuggestions } from './suggestions.ts';

/**
 * Query limits (graphql-armor): depth, aliases, directives and tokens, all from config (the cost, which needs the
 * variables, is plugins/query-cost.ts). Through Yoga's enveloped parse/validate they hold for WebSocket operations
 * too. NODE_ENV=production: no introspection, no "Did you mean ...?" suggestions (plugins/suggestions.ts).
 */

type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens';

/** Armor words its refusals as "Syntax Error: ..."; ours name the limit and carry a stable code. */
function queryTooComplex(armorError: GraphQLError, limit: LimitName): GraphQLError {
  return new GraphQLError(armorError.message.replace(/^Syntax Error: /, ''), {
    extensions: { code: 'QUERY_TOO_COMPLEX', limit },
  });
}

/**
 * Validation-time limits are reported alongside the other validation errors; the token limit stops the
 * parser itself, before any AST is built. Both become a QUERY_TOO_COMPLEX error with HTTP 400
 * (see useQueryTooComplexStatus).
 */
function reportTo(limit: LimitName) {
  return [
    (context: ValidationContext | null, error: GraphQLError) => {
      const refusal = queryTooComplex(error, limit);
      if (context) context.reportError(refusal);
      else throw refusal;
    },
  ];
}

export function queryLimitPlugins(config: Config): Plugin[] {
  const limits = config.graphqlLimits;
  const production = config.nodeEnv === 'production';
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      // Fragments are a way of writing a selection, not of nesting it: they add no depth and no cost.
      maxDepth: { n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject: reportTo('depth') },
      // The cost depends on the variables: plugins/query-cost.ts checks it at execution.
      costLimit: { enabled: false },
      maxAliases: { n: limits.maxAliases, propagateOnRejection: false, onReject: reportTo('aliases') },
      maxDirectives: { n: limits.maxDirectives, propagateOnRejection: false, onReject: reportTo('directives') },
      maxTokens: { n: limits.maxTokens, onReject: reportTo('tokens') },
      // Masked by plugins/suggestions.ts in production, every kind of suggestion.
      blockFieldSuggestion: { enabled: false },
    }) as Plugin,
  ];
  if (production) {
    plugins.push({ onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) });
    plugins.push(useNoSuggestions());
  }
  plugins.push(useQueryTooComplexStatus());
  return plugins;
}

/**
 * A refused query bomb is HTTP 400 whatever the Accept header. Yoga follows the GraphQL-over-HTTP spec
 * and answers parse and validation errors with 200 for `application/json` (also its choice when no
 * Accept is sent); for an abusive request a 400 is what rate limiters, proxies and dashboards should
 * see. Ordinary syntax and validation errors keep the spec's behaviour.
 */
function useQueryTooComplexStatus(): Plugin {
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result) || isAsyncIterable(result)) return;
      for (const error of result.errors ?? []) {
        if (error.extensions?.['code'] !== 'QUERY_TOO_COMPLEX') continue;
        // Yoga set `http: { spec: true, status: 400 }` on it; `spec` is what lets application/json turn it into 200.
        const extensions = error.extensions as { http?: { spec?: boolean; status?: number } };
        extensions.http = { ...extensions.http, spec: false, status: 400 };
      }
    },
  };
}
