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
        refunded {
          value
          currency
        }
        net {
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

export const LiveEventsDocument = graphql(`
  subscription ConsoleLiveEvents($after: String, $merchantId: ID, $admin: Boolean!) {
    transactionEvents(after: $after, merchantId: $merchantId, kinds: [STATUS_CHANGED, REFUND_REQUESTED, REFUND_SUCCEEDED, REFUND_FAILED]) {
      cursor
      kind
      status
      previousStatus
      source
      reason
      occurredAt
      transaction {
        id
        merchantReference
        amount {
          value
          currency
        }
        merchant @include(if: $admin) {
          name
        }
      }
    }
  }
`);

export const TransactionsDocument = graphql(`
  query ConsoleTransactions($first: Int, $after: String, $last: Int, $before: String, $filter: TransactionFilter, $admin: Boolean!) {
    transactions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      totalCountIsExact
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          id
          merchantReference
          status
          createdAt
          amount {
            value
            currency
          }
          merchant @include(if: $admin) {
            name
          }
        }
      }
    }
  }
`);

export const TransactionDocument = graphql(`
  query ConsoleTransaction($id: ID!, $admin: Boolean!) {
    transaction(id: $id) {
      id
      merchantReference
      status
      statusReason
      isCancellable
      providerReference
      createdAt
      updatedAt
      amount {
        value
        currency
      }
      refundableAmount {
        value
        currency
        minorUnits
      }
      refundedAmount {
        value
        currency
      }
      merchant @include(if: $admin) {
        id
        name
      }
      events {
        sequence
        kind
        status
        previousStatus
        source
        reason
        occurredAt
        refund {
          amount {
            value
            currency
          }
        }
      }
      refunds {
        id
        status
        reason
        failureCode
        requestedAt
        amount {
          value
          currency
        }
      }
      notifications @include(if: $admin) {
        id
        sender
        eventType
        targetStatus
        outcome
        detail
        deliveries
        receivedAt
        anomaly {
          id
          kind
          status
          detail
          resolution
        }
      }
    }
  }
`);

export const CancelTransactionDocument = graphql(`
  mutation ConsoleCancelTransaction($id: ID!) {
    cancelTransaction(id: $id) {
      __typename
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RefundTransactionDocument = graphql(`
  mutation ConsoleRefundTransaction($input: RefundTransactionInput!) {
    refundTransaction(input: $input) {
      __typename
      ... on Error {
        code
        message
      }
    }
  }
`);

export const ResolveAnomalyDocument = graphql(`
  mutation ConsoleResolveAnomaly($id: ID!, $resolution: String!) {
    resolveAnomaly(id: $id, resolution: $resolution) {
      __typename
      ... on Error {
        code
        message
      }
    }
  }
`);

export const DailyBreakdownDocument = graphql(`
  query ConsoleDailyBreakdown($date: Date!, $timeZone: String!, $merchantId: ID) {
    dailyReport(date: $date, timeZone: $timeZone, merchantId: $merchantId) {
      byMerchant {
        merchant {
          id
          name
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
            currency
          }
        }
      }
    }
  }
`);

export const HourlyVolumesDocument = graphql(`
  query ConsoleHourlyVolumes($from: Date!, $to: Date!, $timeZone: String!, $merchantId: ID) {
    transactionStats(from: $from, to: $to, timeZone: $timeZone, groupBy: [HOUR], filter: { merchantId: $merchantId }) {
      __typename
      ... on TransactionStats {
        currencies
        rows {
          start
          localStart
          created
          captured
          paid
          amounts {
            currency
            created {
              value
            }
            paid {
              value
            }
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const OperationsDocument = graphql(`
  query ConsoleOperations($olderThanMinutes: Int!, $merchantId: ID) {
    anomalies(first: 50, status: OPEN) {
      totalCount
      edges {
        node {
          id
          kind
          detail
          createdAt
          transaction {
            id
            merchantReference
            merchant {
              name
            }
          }
        }
      }
    }
    stuckTransactions(first: 50, olderThanMinutes: $olderThanMinutes, merchantId: $merchantId) {
      totalCount
      edges {
        node {
          id
          merchantReference
          status
          updatedAt
          amount {
            value
            currency
          }
          merchant {
            name
          }
        }
      }
    }
    notificationStats {
      since
      openAnomalies
      outcomes {
        sender
        outcome
        count
      }
      rejections {
        sender
        reason
        count
        lastSeenAt
      }
    }
  }
`);

export const CreateMerchantDocument = graphql(`
  mutation ConsoleCreateMerchant($name: String!) {
    createMerchant(name: $name) {
      __typename
      ... on CreateMerchantSuccess {
        secret
        merchant {
          id
          name
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const ApiKeysDocument = graphql(`
  query ConsoleApiKeys($merchantId: ID) {
    apiKeys(merchantId: $merchantId) {
      id
      prefix
      role
      publishableKey
      createdAt
      lastUsedAt
      expiresAt
      revokedAt
    }
  }
`);

export const CreateApiKeyDocument = graphql(`
  mutation ConsoleCreateApiKey($role: MerchantKeyRole!, $merchantId: ID) {
    createApiKey(role: $role, merchantId: $merchantId) {
      __typename
      ... on CreateApiKeySuccess {
        secret
        apiKey {
          id
          prefix
          role
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RevokeApiKeyDocument = graphql(`
  mutation ConsoleRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      __typename
      ... on RevokeApiKeySuccess {
        apiKey {
          id
          revokedAt
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RollApiKeyDocument = graphql(`
  mutation ConsoleRollApiKey($id: ID!, $expiresInHours: Int!) {
    rollApiKey(id: $id, expiresInHours: $expiresInHours) {
      __typename
      ... on RollApiKeySuccess {
        secret
        apiKey {
          id
          prefix
          role
        }
        previous {
          id
          expiresAt
          revokedAt
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);
