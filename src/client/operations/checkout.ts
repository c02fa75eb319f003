import { graphql } from '../../generated/graphql/gql.ts';

/** The browser-safe checkout operations (publishable key + client secret). */

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
