import { GraphQLError, Kind, getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Metrics } from '../../observability/metrics.ts';
import type { RequestContext } from '../../observability/request-context.ts';
import { trackStream } from '../track-stream.ts';
import { requestContextOf, type ServerContext } from '../types.ts';

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

function describeOperation(document: DocumentNode, operationName: string | null | undefined): { type: string; name: string | undefined } {
  const operation = getOperationAST(document, operationName);
  return { type: operation?.operation ?? 'unknown', name: operation?.name?.value ?? operationName ?? undefined };
}

/** The subscription's root field (validation guarantees exactly one), named as in the schema. */
function rootFieldName(document: DocumentNode, operationName: string | null | undefined): string {
  const selection = getOperationAST(document, operationName)?.selectionSet.selections[0];
  return selection?.kind === Kind.FIELD ? selection.name.value : 'unknown';
}

function errorCode(error: Error, fallback = 'UNCODED'): unknown {
  if (!(error instanceof GraphQLError)) return 'INTERNAL_SERVER_ERROR';
  const code = error.extensions?.['code'];
  if (code !== undefined) return code;
  if (fallback !== 'UNCODED') return fallback;
  // Not a GraphQLError underneath: unexpected, and masked before it leaves (see masked-errors.ts).
  return error.originalError && !(error.originalError instanceof GraphQLError) ? 'INTERNAL_SERVER_ERROR' : 'UNCODED';
}

/** A cost refusal happens as execution starts, but like the other limits it runs nothing: `rejected`. */
function outcomeOf(errors: readonly Error[] | undefined): 'success' | 'error' | 'rejected' {
  if (!errors?.length) return 'success';
  return errors.every((error) => error instanceof GraphQLError && error.extensions?.['code'] === 'QUERY_TOO_COMPLEX') ? 'rejected' : 'error';
}

/** Counts and times every operation, tracks open subscriptions, and names the operation in the logs. */
export function useOperationMetrics(metrics: Metrics): Plugin<Record<string, unknown>, ServerContext> {
  // Refusals are counted before Yoga gives them their code: `fallback` names what Yoga will call them.
  const countErrors = (errors: readonly Error[] | undefined, fallback?: string) => {
    for (const error of errors ?? []) metrics.graphqlErrors.inc({ code: metrics.errorCodeLabel(errorCode(error, fallback)) });
  };
  const rejected = (type: string, name: string | null | undefined, errors: readonly Error[], fallback: string) => {
    metrics.graphqlOperations.inc({ operation_type: type, operation_name: metrics.operationNameLabel(name), outcome: 'rejected' });
    countErrors(errors, fallback);
  };
  const nameInLogs = (requestContext: RequestContext | undefined, { type, name }: { type: string; name: string | undefined }) => {
    if (!requestContext) return;
    requestContext.operationType = type;
    if (name !== undefined) requestContext.operationName = GRAPHQL_NAME.test(name) ? name : '(invalid name)';
  };

  return {
    onParams({ params, context }) {
      const { requestContext } = context;
      if (requestContext && typeof params.operationName === 'string') {
        requestContext.operationName = GRAPHQL_NAME.test(params.operationName) ? params.operationName : '(invalid name)';
      }
    },
    onParse({ context }) {
      return ({ result }) => {
        if (result instanceof GraphQLError) {
          const params = (context as { params?: { operationName?: string | null } }).params;
          rejected('unknown', params?.operationName, [result], 'GRAPHQL_PARSE_FAILED');
        }
      };
    },
    onValidate({ params, context }) {
      return ({ valid, result }) => {
        if (valid) return;
        const operationName = (context as { params?: { operationName?: string | null } }).params?.operationName;
        const { type, name } = describeOperation(params.documentAST, operationName);
        rejected(type, name, result, 'GRAPHQL_VALIDATION_FAILED');
      };
    },
    onExecute({ args }) {
      const { type, name } = describeOperation(args.document, args.operationName);
      nameInLogs(requestContextOf(args.contextValue), { type, name });
      const labels = { operation_type: type, operation_name: metrics.operationNameLabel(name) };
      const stopTimer = metrics.graphqlOperationDuration.startTimer(labels);
      return {
        onExecuteDone({ result }) {
          stopTimer();
          const errors = isAsyncIterable(result) ? undefined : (result as ExecutionResult).errors;
          metrics.graphqlOperations.inc({ ...labels, outcome: outcomeOf(errors) });
          countErrors(errors);
        },
      };
    },
    onSubscribe({ args }) {
      const { type, name } = describeOperation(args.document, args.operationName);
      nameInLogs(requestContextOf(args.contextValue), { type, name });
      const labels = { operation_type: type, operation_name: metrics.operationNameLabel(name) };
      const stopTimer = metrics.graphqlOperationDuration.startTimer(labels);
      const subscription = rootFieldName(args.document, args.operationName);
      return {
        onSubscribeResult({ result, setResult }) {
          stopTimer();
          if (!isAsyncIterable(result)) {
            const errors = (result as ExecutionResult).errors;
            metrics.graphqlOperations.inc({ ...labels, outcome: outcomeOf(errors) });
            countErrors(errors);
            return;
          }
          metrics.graphqlOperations.inc({ ...labels, outcome: 'success' });
          metrics.subscriptionsOpen.inc({ subscription });
          setResult(
            trackStream(
              result,
              () => metrics.eventsDelivered.inc({ subscription }),
              () => metrics.subscriptionsOpen.dec({ subscription }),
            ),
          );
        },
      };
    },
  };
}
