/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment TransactionFields on Transaction {\n    id\n    merchantReference\n    amount {\n      value\n      currency\n      minorUnits\n    }\n    paymentProduct\n    status\n    isFinal\n    isCancellable\n    redirectUrl\n    returnUrl\n    providerReference\n    statusReason\n    createdAt\n    updatedAt\n  }\n": typeof types.TransactionFieldsFragmentDoc,
    "\n  mutation CreateTransaction($input: CreateTransactionInput!) {\n    createTransaction(input: $input) {\n      __typename\n      ... on CreateTransactionSuccess {\n        transaction {\n          ...TransactionFields\n          events {\n            sequence\n            status\n            previousStatus\n            source\n            cursor\n          }\n        }\n      }\n      ... on Error {\n        message\n        code\n      }\n      ... on ValidationError {\n        fields {\n          path\n          message\n        }\n      }\n    }\n  }\n": typeof types.CreateTransactionDocument,
    "\n  mutation CancelTransaction($id: ID!) {\n    cancelTransaction(id: $id) {\n      __typename\n      ... on CancelTransactionSuccess {\n        transaction {\n          ...TransactionFields\n        }\n      }\n      ... on Error {\n        message\n        code\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n    }\n  }\n": typeof types.CancelTransactionDocument,
    "\n  query Transaction($id: ID!) {\n    transaction(id: $id) {\n      ...TransactionFields\n      events {\n        sequence\n        status\n        previousStatus\n        source\n        occurredAt\n        cursor\n      }\n    }\n  }\n": typeof types.TransactionDocument,
    "\n  query Transactions($first: Int, $after: String, $last: Int, $before: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...TransactionFields\n          events {\n            sequence\n            status\n            source\n          }\n        }\n      }\n    }\n  }\n": typeof types.TransactionsDocument,
    "\n  query Node($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on Transaction {\n        status\n      }\n      ... on Merchant {\n        name\n      }\n    }\n  }\n": typeof types.NodeDocument,
    "\n  mutation CreateMerchant($name: String!) {\n    createMerchant(name: $name) {\n      __typename\n      ... on CreateMerchantSuccess {\n        merchant {\n          id\n          name\n          createdAt\n        }\n        apiKey {\n          id\n          prefix\n          role\n        }\n        secret\n      }\n      ... on Error {\n        message\n        code\n      }\n    }\n  }\n": typeof types.CreateMerchantDocument,
    "\n  fragment NotificationFields on Notification {\n    id\n    sender\n    externalId\n    eventType\n    transactionReference\n    targetStatus\n    amount {\n      value\n      currency\n    }\n    providerReference\n    outcome\n    detail\n    deliveries\n    contentType\n    rawBody\n    receivedAt\n    lastReceivedAt\n    anomaly {\n      id\n      kind\n      status\n    }\n    transactionEvent {\n      sequence\n      status\n      source\n    }\n  }\n": typeof types.NotificationFieldsFragmentDoc,
    "\n  query TransactionNotifications($id: ID!) {\n    transaction(id: $id) {\n      id\n      status\n      statusReason\n      providerReference\n      events {\n        sequence\n        status\n        previousStatus\n        source\n      }\n      notifications {\n        ...NotificationFields\n      }\n    }\n  }\n": typeof types.TransactionNotificationsDocument,
    "\n  query Anomalies($status: AnomalyStatus, $kind: AnomalyKind, $first: Int, $after: String) {\n    anomalies(status: $status, kind: $kind, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          status\n          detail\n          resolution\n          createdAt\n          resolvedAt\n          transaction {\n            id\n            status\n          }\n          notifications {\n            ...NotificationFields\n          }\n        }\n      }\n    }\n  }\n": typeof types.AnomaliesDocument,
    "\n  query NotificationStats($since: DateTime) {\n    notificationStats(since: $since) {\n      since\n      openAnomalies\n      rejections {\n        sender\n        reason\n        count\n        lastSeenAt\n      }\n      outcomes {\n        sender\n        outcome\n        count\n      }\n    }\n  }\n": typeof types.NotificationStatsDocument,
    "\n  mutation ResolveAnomaly($id: ID!, $resolution: String!) {\n    resolveAnomaly(id: $id, resolution: $resolution) {\n      __typename\n      ... on ResolveAnomalySuccess {\n        anomaly {\n          id\n          status\n          resolution\n          resolvedAt\n        }\n      }\n      ... on Error {\n        message\n        code\n      }\n    }\n  }\n": typeof types.ResolveAnomalyDocument,
};
const documents: Documents = {
    "\n  fragment TransactionFields on Transaction {\n    id\n    merchantReference\n    amount {\n      value\n      currency\n      minorUnits\n    }\n    paymentProduct\n    status\n    isFinal\n    isCancellable\n    redirectUrl\n    returnUrl\n    providerReference\n    statusReason\n    createdAt\n    updatedAt\n  }\n": types.TransactionFieldsFragmentDoc,
    "\n  mutation CreateTransaction($input: CreateTransactionInput!) {\n    createTransaction(input: $input) {\n      __typename\n      ... on CreateTransactionSuccess {\n        transaction {\n          ...TransactionFields\n          events {\n            sequence\n            status\n            previousStatus\n            source\n            cursor\n          }\n        }\n      }\n      ... on Error {\n        message\n        code\n      }\n      ... on ValidationError {\n        fields {\n          path\n          message\n        }\n      }\n    }\n  }\n": types.CreateTransactionDocument,
    "\n  mutation CancelTransaction($id: ID!) {\n    cancelTransaction(id: $id) {\n      __typename\n      ... on CancelTransactionSuccess {\n        transaction {\n          ...TransactionFields\n        }\n      }\n      ... on Error {\n        message\n        code\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n    }\n  }\n": types.CancelTransactionDocument,
    "\n  query Transaction($id: ID!) {\n    transaction(id: $id) {\n      ...TransactionFields\n      events {\n        sequence\n        status\n        previousStatus\n        source\n        occurredAt\n        cursor\n      }\n    }\n  }\n": types.TransactionDocument,
    "\n  query Transactions($first: Int, $after: String, $last: Int, $before: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...TransactionFields\n          events {\n            sequence\n            status\n            source\n          }\n        }\n      }\n    }\n  }\n": types.TransactionsDocument,
    "\n  query Node($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on Transaction {\n        status\n      }\n      ... on Merchant {\n        name\n      }\n    }\n  }\n": types.NodeDocument,
    "\n  mutation CreateMerchant($name: String!) {\n    createMerchant(name: $name) {\n      __typename\n      ... on CreateMerchantSuccess {\n        merchant {\n          id\n          name\n          createdAt\n        }\n        apiKey {\n          id\n          prefix\n          role\n        }\n        secret\n      }\n      ... on Error {\n        message\n        code\n      }\n    }\n  }\n": types.CreateMerchantDocument,
    "\n  fragment NotificationFields on Notification {\n    id\n    sender\n    externalId\n    eventType\n    transactionReference\n    targetStatus\n    amount {\n      value\n      currency\n    }\n    providerReference\n    outcome\n    detail\n    deliveries\n    contentType\n    rawBody\n    receivedAt\n    lastReceivedAt\n    anomaly {\n      id\n      kind\n      status\n    }\n    transactionEvent {\n      sequence\n      status\n      source\n    }\n  }\n": types.NotificationFieldsFragmentDoc,
    "\n  query TransactionNotifications($id: ID!) {\n    transaction(id: $id) {\n      id\n      status\n      statusReason\n      providerReference\n      events {\n        sequence\n        status\n        previousStatus\n        source\n      }\n      notifications {\n        ...NotificationFields\n      }\n    }\n  }\n": types.TransactionNotificationsDocument,
    "\n  query Anomalies($status: AnomalyStatus, $kind: AnomalyKind, $first: Int, $after: String) {\n    anomalies(status: $status, kind: $kind, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          status\n          detail\n          resolution\n          createdAt\n          resolvedAt\n          transaction {\n            id\n            status\n          }\n          notifications {\n            ...NotificationFields\n          }\n        }\n      }\n    }\n  }\n": types.AnomaliesDocument,
    "\n  query NotificationStats($since: DateTime) {\n    notificationStats(since: $since) {\n      since\n      openAnomalies\n      rejections {\n        sender\n        reason\n        count\n        lastSeenAt\n      }\n      outcomes {\n        sender\n        outcome\n        count\n      }\n    }\n  }\n": types.NotificationStatsDocument,
    "\n  mutation ResolveAnomaly($id: ID!, $resolution: String!) {\n    resolveAnomaly(id: $id, resolution: $resolution) {\n      __typename\n      ... on ResolveAnomalySuccess {\n        anomaly {\n          id\n          status\n          resolution\n          resolvedAt\n        }\n      }\n      ... on Error {\n        message\n        code\n      }\n    }\n  }\n": types.ResolveAnomalyDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TransactionFields on Transaction {\n    id\n    merchantReference\n    amount {\n      value\n      currency\n      minorUnits\n    }\n    paymentProduct\n    status\n    isFinal\n    isCancellable\n    redirectUrl\n    returnUrl\n    providerReference\n    statusReason\n    createdAt\n    updatedAt\n  }\n"): typeof import('./graphql').TransactionFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTransaction($input: CreateTransactionInput!) {\n    createTransaction(input: $input) {\n      __typename\n      ... on CreateTransactionSuccess {\n        transaction {\n          ...TransactionFields\n          events {\n            sequence\n            status\n            previousStatus\n            source\n            cursor\n          }\n        }\n      }\n      ... on Error {\n        message\n        code\n      }\n      ... on ValidationError {\n        fields {\n          path\n          message\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').CreateTransactionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelTransaction($id: ID!) {\n    cancelTransaction(id: $id) {\n      __typename\n      ... on CancelTransactionSuccess {\n        transaction {\n          ...TransactionFields\n        }\n      }\n      ... on Error {\n        message\n        code\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n    }\n  }\n"): typeof import('./graphql').CancelTransactionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Transaction($id: ID!) {\n    transaction(id: $id) {\n      ...TransactionFields\n      events {\n        sequence\n        status\n        previousStatus\n        source\n        occurredAt\n        cursor\n      }\n    }\n  }\n"): typeof import('./graphql').TransactionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Transactions($first: Int, $after: String, $last: Int, $before: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...TransactionFields\n          events {\n            sequence\n            status\n            source\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').TransactionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Node($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on Transaction {\n        status\n      }\n      ... on Merchant {\n        name\n      }\n    }\n  }\n"): typeof import('./graphql').NodeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateMerchant($name: String!) {\n    createMerchant(name: $name) {\n      __typename\n      ... on CreateMerchantSuccess {\n        merchant {\n          id\n          name\n          createdAt\n        }\n        apiKey {\n          id\n          prefix\n          role\n        }\n        secret\n      }\n      ... on Error {\n        message\n        code\n      }\n    }\n  }\n"): typeof import('./graphql').CreateMerchantDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NotificationFields on Notification {\n    id\n    sender\n    externalId\n    eventType\n    transactionReference\n    targetStatus\n    amount {\n      value\n      currency\n    }\n    providerReference\n    outcome\n    detail\n    deliveries\n    contentType\n    rawBody\n    receivedAt\n    lastReceivedAt\n    anomaly {\n      id\n      kind\n      status\n    }\n    transactionEvent {\n      sequence\n      status\n      source\n    }\n  }\n"): typeof import('./graphql').NotificationFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TransactionNotifications($id: ID!) {\n    transaction(id: $id) {\n      id\n      status\n      statusReason\n      providerReference\n      events {\n        sequence\n        status\n        previousStatus\n        source\n      }\n      notifications {\n        ...NotificationFields\n      }\n    }\n  }\n"): typeof import('./graphql').TransactionNotificationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Anomalies($status: AnomalyStatus, $kind: AnomalyKind, $first: Int, $after: String) {\n    anomalies(status: $status, kind: $kind, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          status\n          detail\n          resolution\n          createdAt\n          resolvedAt\n          transaction {\n            id\n            status\n          }\n          notifications {\n            ...NotificationFields\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').AnomaliesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationStats($since: DateTime) {\n    notificationStats(since: $since) {\n      since\n      openAnomalies\n      rejections {\n        sender\n        reason\n        count\n        lastSeenAt\n      }\n      outcomes {\n        sender\n        outcome\n        count\n      }\n    }\n  }\n"): typeof import('./graphql').NotificationStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResolveAnomaly($id: ID!, $resolution: String!) {\n    resolveAnomaly(id: $id, resolution: $resolution) {\n      __typename\n      ... on ResolveAnomalySuccess {\n        anomaly {\n          id\n          status\n          resolution\n          resolvedAt\n        }\n      }\n      ... on Error {\n        message\n        code\n      }\n    }\n  }\n"): typeof import('./graphql').ResolveAnomalyDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
