import type { Plugin } from 'graphql-yoga';
import type { RequestContext } from '../../observability/request-context.ts';
import { logMaskedErrors, logMaskedResult } from '../masked-errors.ts';
import type { Logger } from '../../logger.ts';

/** HTTP and SSE: logs masked errors as their results are sent, single, batched or streamed. */
export function useMaskedErrorLog(logger: Logger): Plugin<Record<string, unknown>, { requestContext?: RequestContext }> {
  return {
    onResultProcess({ result, setResult, serverContext }) {
      const context = serverContext.requestContext;
      if (Array.isArray(result)) {
        for (const single of result) logMaskedErrors(logger, single, context);
        return;
      }
      const observed = logMaskedResult(logger, result, context);
      if (observed !== result) setResult(observed);
    },
  };
}
