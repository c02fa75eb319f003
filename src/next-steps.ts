/**
 * What `npm start` tells a person at a terminal once the server listens: where GraphiQL and the console are, the
 * header to add and a first mutation, so a fresh clone gets from start to a first transaction without reading anything.
 */

/** Where this start's ADMIN key comes from (src/bootstrap.ts decides). */
export type AdminKeySource = { kind: 'configured' } | { kind: 'file'; path: string } | { kind: 'none' };

export type NextStepsInput = {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  graphqlUrl: string;
  /** Whether GraphiQL is served there (not in production). */
  graphiql: boolean;
  adminKey: AdminKeySource;
};

export const FIRST_MUTATION =
  'mutation { createMerchant(name: "Acme") { __typename ... on CreateMerchantSuccess { merchant { id } secret } ... on Error { code message } } }';

function whereTheKeyIs(adminKey: AdminKeySource): string {
  switch (adminKey.kind) {
    case 'configured':
      return 'the ADMIN key is the ADMIN_API_KEY you set';
    case 'file':
      return `the ADMIN key is in ${adminKey.path}`;
    case 'none':
      return 'no ADMIN key yet: set ADMIN_API_KEY and restart, or run `npm run cli -- merchant:create --name Acme` for a merchant key';
  }
}

/** The lines printed under the "listening" line, for a terminal. */
export function nextSteps(input: NextStepsInput): string {
  const open = input.graphiql
    ? `  GraphiQL  ${input.graphqlUrl}   (open it in a browser)`
    : `  GraphQL   POST ${input.graphqlUrl}   (GraphiQL is off in production)`;
  const header = input.graphiql ? '  Header    {"Authorization": "Bearer <ADMIN key>"}   in GraphiQL\'s Headers pane;' : '  Header    Authorization: Bearer <ADMIN key>;';
  const consoleUrl = input.graphqlUrl.replace(/\/graphql$/, '/console');
  return [
    '',
    'Next steps',
    open,
    `  Console   ${consoleUrl}   (sign in with an API key: payments live, transactions, reports)`,
    `${header} ${whereTheKeyIs(input.adminKey)}`,
    `  Try       ${FIRST_MUTATION}`,
    "  Then      the merchant's `secret` is its API key: with it as the Bearer key, run createTransaction (README.md, docs/API.md)",
    '',
  ].join('\n');
}
