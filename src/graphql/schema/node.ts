import { resolveNodes } from '@pothos/plugin-relay';
import { isObjectType, type GraphQLResolveInfo } from 'graphql';
import { readGlobalId, type GlobalId } from '../../domain/ids.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';

/**
 * Relay's `node` and `nodes`, with one rule for every id: an id that names nothing the caller may see
 * (malformed, of no Node type, absent, or another merchant's) is null, never an error, so a foreign id
 * reads exactly like a missing one and one bad id in `nodes` costs only its own entry.
 */

const NodeInterface = builder.nodeInterfaceRef();

builder.queryFields((t) => ({
  node: t.field({
    type: NodeInterface,
    nullable: true,
    description: "Any object by its global id; null when the id names nothing the caller may see (absent, another merchant's, or not an id)",
    args: { id: t.arg.id({ required: true, description: 'a global id, as every `id` field returns it' }) },
    resolve: async (_root, args, context, info) => (await loadNodes(context, info, [args.id]))[0] ?? null,
  }),
  nodes: t.field({
    type: [NodeInterface],
    nullable: { list: false, items: true },
    description: 'Objects by their global ids, in the order asked; each entry is null exactly when `node` would be',
    args: { ids: t.arg.idList({ required: true, description: 'global ids, as `id` fields return them' }) },
    resolve: (_root, args, context, info) => loadNodes(context, info, args.ids),
  }),
}));

function loadNodes(context: GraphQLContext, info: GraphQLResolveInfo, ids: readonly string[]): Promise<unknown[]> {
  const globalIds = ids.map((id): GlobalId | null => {
    const decoded = readGlobalId(id);
    return decoded !== undefined && isNodeType(info, decoded.typename) ? decoded : null;
  });
  // Each Node type's loader (prismaNode with nullable: true) answers null for an absent or foreign row.
  return resolveNodes(builder, context, info, globalIds);
}

function isNodeType(info: GraphQLResolveInfo, typename: string): boolean {
  const type = info.schema.getType(typename);
  return isObjectType(type) && type.getInterfaces().some((implemented) => implemented.name === 'Node');
}
