import { graphql } from '../../generated/graphql/gql.ts';

/** Refunds: request one, list a transaction's, and the stuck ones (ADMIN). */

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
