import { graphql } from '../../generated/graphql/gql.ts';

/** The daily report, for one merchant or broken down by merchant (ADMIN). */

export const DailyReportDocument = graphql(`
  query DailyReport($date: Date!, $timeZone: String, $merchantId: ID) {
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
          minorUnits
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
      remittance {
        currency
        count
        total {
          value
          currency
          minorUnits
        }
        refundCount
        refunded {
          value
          minorUnits
        }
        net {
          value
          minorUnits
        }
      }
      refunds {
        currency
        requested {
          count
          total {
            value
          }
        }
        succeeded {
          count
          total {
            value
          }
        }
        failed {
          count
          total {
            value
          }
        }
      }
    }
  }
`);

export const DailyReportByMerchantDocument = graphql(`
  query DailyReportByMerchant($date: Date!, $timeZone: String, $merchantId: ID) {
    dailyReport(date: $date, timeZone: $timeZone, merchantId: $merchantId) {
      date
      timeZone
      merchant {
        id
        name
      }
      byMerchant {
        merchant {
          id
          name
        }
        rows {
          status
          currency
          count
          total {
            value
            minorUnits
          }
        }
        funnel {
          created
          captured
          paid
          conversionRate
        }
        remittance {
          currency
          count
          total {
            value
            minorUnits
          }
          net {
            value
          }
        }
        refunds {
          currency
          succeeded {
            count
            total {
              value
            }
          }
        }
      }
    }
  }
`);
