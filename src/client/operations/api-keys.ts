import { graphql } from '../../generated/graphql/gql.ts';

/** API key management: list, create, revoke, roll. */

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
