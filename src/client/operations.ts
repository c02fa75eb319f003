import { graphql } from '../generated/graphql/gql.ts';

/** The operations merchants and dashboards use; codegen turns each into a typed document. */

export const TransactionFields = graphql(`
  fragment TransactionFields on Transaction {
    id
    merchantReference
    amount {
      value
      currency
      minorUnits
    }
    paymentProduct
    status
    isFinal
    isCancellable
    redirectUrl
    returnUrl
    providerReference
    statusReason
    createdAt
    updatedAt
  }
`);

export const CreateTransactionDocument = graphql(`
  mutation CreateTransaction($input: CreateTransactionInput!) {
    createTransaction(input: $input) {
      __typename
      ... on CreateTransactionSuccess {
        clientSecret
        transaction {
          ...TransactionFields
          events {
            sequence
            status
            previousStatus
            source
            cursor
          }
        }
      }
      ... on Error {
        message
        code
      }
      ... on ValidationError {
        fields {
          path
          message
        }
      }
    }
  }
`);

export const CancelTransactionDocument = graphql(`
  mutation CancelTransaction($id: ID!) {
    cancelTransaction(id: $id) {
      __typename
      ... on CancelTransactionSuccess {
        transaction {
          ...TransactionFields
        }
      }
      ... on Error {
        message
        code
      }
      ... on InvalidStateError {
        currentStatus
      }
    }
  }
`);

export const TransactionDocument = graphql(`
  query Transaction($id: ID!) {
    transaction(id: $id) {
      ...TransactionFields
      events {
        sequence
        status
        previousStatus
        source
        occurredAt
        cursor
      }
    }
  }
`);

export const RefundFields = graphql(`
  fragment RefundFields on Refund {
    id
    amount {
      value
      currency
      minorUnits
    }
    reason
    status
    source
    providerReference
    failureCode
    requestedAt
    completedAt
  }
`);

export const RefundTransactionDocument = graphql(`
  mutation RefundTransaction($input: RefundTransactionInput!) {
    refundTransaction(input: $input) {
      __typename
      ... on RefundTransactionSuccess {
        refund {
          ...RefundFields
          transaction {
            id
            status
            refundedAmount {
              value
              currency
            }
            refundableAmount {
              value
              currency
            }
          }
        }
      }
      ... on Error {
        message
        code
      }
      ... on ValidationError {
        fields {
          path
          message
        }
      }
      ... on InvalidStateError {
        currentStatus
      }
      ... on AmountExceedsRefundableError {
        refundableAmount {
          value
          currency
        }
      }
    }
  }
`);

export const TransactionRefundsDocument = graphql(`
  query TransactionRefunds($id: ID!) {
    transaction(id: $id) {
      id
      status
      amount {
        value
        currency
      }
      refundedAmount {
        value
        currency
      }
      refundableAmount {
        value
        currency
      }
      refunds {
        ...RefundFields
      }
      events {
        sequence
        kind
        status
        previousStatus
        source
        reason
        refund {
          id
          status
        }
      }
    }
  }
`);

export const TransactionsDocument = graphql(`
  query Transactions($first: Int, $after: String, $last: Int, $before: String, $filter: TransactionFilter) {
    transactions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          ...TransactionFields
          events {
            sequence
            status
            source
          }
        }
      }
    }
  }
`);

export const NodeDocument = graphql(`
  query Node($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Transaction {
        status
      }
      ... on Merchant {
        name
      }
    }
  }
`);

export const CreateMerchantDocument = graphql(`
  mutation CreateMerchant($name: String!) {
    createMerchant(name: $name) {
      __typename
      ... on CreateMerchantSuccess {
        merchant {
          id
          name
          createdAt
        }
        apiKey {
          id
          prefix
          role
        }
        secret
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

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

export const StuckTransactionsDocument = graphql(`
  query StuckTransactions($olderThanMinutes: Int!, $merchantId: ID, $first: Int, $after: String) {
    stuckTransactions(olderThanMinutes: $olderThanMinutes, merchantId: $merchantId, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          status
          updatedAt
        }
      }
    }
  }
`);

export const MerchantsDocument = graphql(`
  query Merchants($first: Int, $after: String) {
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

export const NotificationFields = graphql(`
  fragment NotificationFields on Notification {
    id
    sender
    externalId
    eventType
    transactionReference
    targetStatus
    amount {
      value
      currency
    }
    providerReference
    outcome
    detail
    deliveries
    contentType
    rawBody
    receivedAt
    lastReceivedAt
    anomaly {
      id
      kind
      status
    }
    transactionEvent {
      sequence
      status
      source
    }
  }
`);

export const TransactionNotificationsDocument = graphql(`
  query TransactionNotifications($id: ID!) {
    transaction(id: $id) {
      id
      status
      statusReason
      providerReference
      events {
        sequence
        status
        previousStatus
        source
      }
      notifications {
        ...NotificationFields
      }
    }
  }
`);

export const AnomaliesDocument = graphql(`
  query Anomalies($status: AnomalyStatus, $kind: AnomalyKind, $first: Int, $after: String) {
    anomalies(status: $status, kind: $kind, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          kind
          status
          detail
          resolution
          createdAt
          resolvedAt
          transaction {
            id
            status
          }
          refund {
            id
            status
          }
          notifications {
            ...NotificationFields
          }
        }
      }
    }
  }
`);

export const StuckRefundsDocument = graphql(`
  query StuckRefunds($merchantId: ID, $first: Int, $after: String) {
    stuckRefunds(merchantId: $merchantId, first: $first, after: $after) {
      totalCount
      edges {
        node {
          ...RefundFields
          attempts
          acceptedAt
          lastAttemptError
          stuckAt
          transaction {
            id
            merchantReference
          }
        }
      }
    }
  }
`);

export const NotificationStatsDocument = graphql(`
  query NotificationStats($since: DateTime) {
    notificationStats(since: $since) {
      since
      openAnomalies
      rejections {
        sender
        reason
        count
        lastSeenAt
      }
      outcomes {
        sender
        outcome
        count
      }
    }
  }
`);

export const ResolveAnomalyDocument = graphql(`
  mutation ResolveAnomaly($id: ID!, $resolution: String!) {
    resolveAnomaly(id: $id, resolution: $resolution) {
      __typename
      ... on ResolveAnomalySuccess {
        anomaly {
          id
          status
          resolution
          resolvedAt
        }
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const TransactionEventsDocument = graphql(`
  subscription TransactionEvents($after: String, $statuses: [TransactionStatus!], $kinds: [TransactionEventKind!]) {
    transactionEvents(after: $after, statuses: $statuses, kinds: $kinds) {
      cursor
      sequence
      kind
      status
      previousStatus
      source
      occurredAt
      refund {
        id
        status
        amount {
          value
          currency
        }
        failureCode
      }
      transaction {
        ...TransactionFields
      }
    }
  }
`);

export const TransactionUpdatedDocument = graphql(`
  subscription TransactionUpdated($id: ID!) {
    transactionUpdated(id: $id) {
      ...TransactionFields
      refundedAmount {
        value
        currency
      }
      refundableAmount {
        value
        currency
      }
    }
  }
`);

export const CheckoutTransactionFields = graphql(`
  fragment CheckoutTransactionFields on CheckoutTransaction {
    id
    status
    isFinal
    version
    redirectUrl
    amount {
      value
      currency
    }
  }
`);

export const CheckoutTransactionDocument = graphql(`
  query CheckoutTransaction {
    checkoutTransaction {
      ...CheckoutTransactionFields
      statusHistory {
        status
        previousStatus
        occurredAt
      }
    }
  }
`);

export const CheckoutTransactionUpdatedDocument = graphql(`
  subscription CheckoutTransactionUpdated {
    checkoutTransactionUpdated {
      ...CheckoutTransactionFields
    }
  }
`);

export const ApiKeyFields = graphql(`
  fragment ApiKeyFields on ApiKey {
    id
    prefix
    role
    publishableKey
    createdAt
    lastUsedAt
    expiresAt
    revokedAt
  }
`);

export const ApiKeysDocument = graphql(`
  query ApiKeys($merchantId: ID) {
    apiKeys(merchantId: $merchantId) {
      ...ApiKeyFields
    }
  }
`);

export const CreateApiKeyDocument = graphql(`
  mutation CreateApiKey($role: MerchantKeyRole!, $merchantId: ID) {
    createApiKey(role: $role, merchantId: $merchantId) {
      __typename
      ... on CreateApiKeySuccess {
        secret
        apiKey {
          ...ApiKeyFields
        }
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      __typename
      ... on RevokeApiKeySuccess {
        apiKey {
          ...ApiKeyFields
        }
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const RollApiKeyDocument = graphql(`
  mutation RollApiKey($id: ID!, $expiresInHours: Int) {
    rollApiKey(id: $id, expiresInHours: $expiresInHours) {
      __typename
      ... on RollApiKeySuccess {
        secret
        apiKey {
          ...ApiKeyFields
        }
        previous {
          ...ApiKeyFields
        }
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const SetAllowedOriginsDocument = graphql(`
  mutation SetAllowedOrigins($origins: [String!]!, $merchantId: ID) {
    setAllowedOrigins(origins: $origins, merchantId: $merchantId) {
      __typename
      ... on SetAllowedOriginsSuccess {
        allowedOrigins
      }
      ... on Error {
        message
        code
      }
    }
  }
`);
