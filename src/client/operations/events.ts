import { graphql } from '../../generated/graphql/gql.ts';

/** Live status: the gap-free event stream and one transaction's updates. */

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
