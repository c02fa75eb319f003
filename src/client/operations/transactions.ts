import { graphql } from '../../generated/graphql/gql.ts';

/** Transactions: the fields every operation shares, create, cancel, one, a page, any node. */

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
