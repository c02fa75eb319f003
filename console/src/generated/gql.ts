/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ConsoleMerchants($first: Int!, $after: String) {\n    merchants(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          createdAt\n        }\n      }\n    }\n  }\n": typeof types.ConsoleMerchantsDocument,
    "\n  query ConsoleDailyReport($date: Date!, $timeZone: String!, $merchantId: ID) {\n    dailyReport(date: $date, timeZone: $timeZone, merchantId: $merchantId) {\n      date\n      timeZone\n      startsAt\n      endsAt\n      rows {\n        status\n        currency\n        count\n        total {\n          value\n          currency\n        }\n      }\n      remittance {\n        currency\n        count\n        total {\n          value\n          currency\n        }\n      }\n      funnel {\n        created\n        redirected\n        captured\n        paid\n        rejected\n        cancelled\n        conversionRate\n      }\n    }\n  }\n": typeof types.ConsoleDailyReportDocument,
};
const documents: Documents = {
    "\n  query ConsoleMerchants($first: Int!, $after: String) {\n    merchants(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          createdAt\n        }\n      }\n    }\n  }\n": types.ConsoleMerchantsDocument,
    "\n  query ConsoleDailyReport($date: Date!, $timeZone: String!, $merchantId: ID) {\n    dailyReport(date: $date, timeZone: $timeZone, merchantId: $merchantId) {\n      date\n      timeZone\n      startsAt\n      endsAt\n      rows {\n        status\n        currency\n        count\n        total {\n          value\n          currency\n        }\n      }\n      remittance {\n        currency\n        count\n        total {\n          value\n          currency\n        }\n      }\n      funnel {\n        created\n        redirected\n        captured\n        paid\n        rejected\n        cancelled\n        conversionRate\n      }\n    }\n  }\n": types.ConsoleDailyReportDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMerchants($first: Int!, $after: String) {\n    merchants(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          createdAt\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleMerchantsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDailyReport($date: Date!, $timeZone: String!, $merchantId: ID) {\n    dailyReport(date: $date, timeZone: $timeZone, merchantId: $merchantId) {\n      date\n      timeZone\n      startsAt\n      endsAt\n      rows {\n        status\n        currency\n        count\n        total {\n          value\n          currency\n        }\n      }\n      remittance {\n        currency\n        count\n        total {\n          value\n          currency\n        }\n      }\n      funnel {\n        created\n        redirected\n        captured\n        paid\n        rejected\n        cancelled\n        conversionRate\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleDailyReportDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
