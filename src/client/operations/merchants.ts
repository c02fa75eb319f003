import { graphql } from '../../generated/graphql/gql.ts';

/** Merchants (ADMIN creates and lists them) and a merchant's allowed browser origins. */

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
