/**
 * Wraps a subscription's stream: `onNext` sees each payload, `onEnd` exactly once however it ends
 * (exhausted, cancelled by the client, errored). envelop's own onEnd misses the error case, which
 * would leave the open-subscriptions gauge counting a dead stream forever.
 */
export function trackStream<T>(source: AsyncIterable<T>, onNext: (value: T) => void, onEnd: () => void): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      try {
        const step = await iterator.next();
        if (step.done) end();
        else onNext(step.value);
        return step;
      } catch (error) {
        end();
        throw error;
      }
    },
    async return(value?: unknown) {
      end();
      return iterator.return ? iterator.return(value) : { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      end();
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
  };
}
