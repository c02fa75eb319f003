import { decodeGlobalId } from '../domain/ids.ts';

export { NIL_UUID, isUuid } from '../domain/ids.ts';

/** The database id behind a global id of `typename`, or undefined when it is not one. */
export function parseGlobalId(globalId: string, typename: string): string | undefined {
  return decodeGlobalId(globalId, typename);
}
