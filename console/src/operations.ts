import { graphql } from './generated/gql.ts';

/** Every GraphQL operation of the console: typed by codegen (codegen.ts, console target), public schema only. */

export const MerchantsDocument = graphql(`
  query ConsoleMerchants($first: Int!, $after: String) {
    merchants(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          createdAt
        }
      }
    }
  }
`);

export const DailyReportDocument = graphql(`
  query ConsoleDailyReport($date: Date!, $timeZone: String!, $merchantId: ID) {
    dailyReport(date: $date, timeZone: $timeZone, merchantId: $merchantId) {
      date
      timeZone
      startsAt
      endsAt
      rows {
        status
        currency
        count
        total {
          value
          currency
        }
      }
      remittance {
        currency
        count
        total {
          value
          currency
        }
      }
      funnel {
        created
        redirected
        captured
        paid
        rejected
        cancelled
        conversionRate
      }
    }
  }
`);
