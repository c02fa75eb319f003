import { graphql } from '../../generated/graphql/gql.ts';

/** What operators watch: stuck transactions, notifications received, anomalies, refusal statistics. */

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
