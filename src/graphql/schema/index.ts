import { isObjectType, lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from '../builder.ts';
import './scalars.ts';
import './node.ts';
import './errors.ts';
import './enums.ts';
import './transaction.ts';
import './merchant.ts';
import './notification.ts';
import './refund.ts';
import './report.ts';
import './stats.ts';
import './subscription.ts';
import './webhook.ts';
import './api-key.ts';
import './checkout.ts';

// Every root field needs a merchant secret key or an ADMIN key (Mutation: one that may change things), unless it
// says otherwise (the checkout fields: a publishable key with a client secret).
builder.queryType({
  description: 'What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s',
  authScopes: { admin: true, reader: true },
});
builder.mutationType({
  description: 'Changes: each answers a union of its Success type and the Error types it may refuse with (select them too)',
  authScopes: { admin: true, merchant: true },
});
builder.subscriptionType({
  description: 'Live changes, over WebSocket (graphql-transport-ws) or server-sent events',
  authScopes: { admin: true, reader: true },
});

/**
 * The prisma plugin adds every connection's `totalCount` with no way to describe it; the description is added
 * here, once for all of them (test/graphql/schema.test.ts requires one on every field).
 */
function describeTotalCounts(built: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(built.getTypeMap())) {
    const totalCount = isObjectType(type) ? type.getFields()['totalCount'] : undefined;
    if (totalCount && !totalCount.description) totalCount.description = 'how many rows the whole list has (every page together), with the same filter';
  }
  return built;
}

/** The whole schema, sorted so the printed SDL (schema.graphql) is stable. */
export const schema: GraphQLSchema = describeTotalCounts(lexicographicSortSchema(builder.toSchema()));
