import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

/** The designed states every view goes through: loading, failed (with what to do), empty, or the data. */

export function Loading({ what }: { what: string }) {
  return (
    <div class="state loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function Failure({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div class="state error" role="alert">
      <strong>Something went wrong.</strong> {message}
      {code !== undefined && <code class="code">{code}</code>}
      {retry && (
        <button type="button" class="link" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state empty">{children}</div>;
}

export type Loaded<T> = { status: 'loading' } | { status: 'failed'; error: unknown } | { status: 'ready'; data: T };

/** Runs `load` whenever `key` changes (a stale answer never replaces a newer one); `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, key: string): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  const loadedKey = useRef<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    // Reloading the same thing keeps what is shown until the new answer arrives; anything else shows loading.
    if (loadedKey.current !== key) setState({ status: 'loading' });
    loadedKey.current = key;
    load().then(
      (data) => current && setState({ status: 'ready', data }),
      (error: unknown) => current && setState({ status: 'failed', error }),
    );
    return () => {
      current = false;
    };
    // `load` is a new closure each render; `key` names what it loads.
  }, [key, round]);
  return [state, () => setRound((value) => value + 1)];
}

/** Shows a Loaded value: the loading and failed states as designed, `render` once the data is there. */
export function Show<T>({ state, what, retry, render }: { state: Loaded<T>; what: string; retry?: () => void; render: (data: T) => ComponentChildren }) {
  if (state.status === 'loading') return <Loading what={what} />;
  if (state.status === 'failed') return <Failure error={state.error} retry={retry} />;
  return <>{render(state.data)}</>;
}
