import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
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

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** The whole schema, sorted so the printed SDL (schema.graphql) is stable. */
export const schema: GraphQLSchema = lexicographicSortSchema(builder.toSchema());
