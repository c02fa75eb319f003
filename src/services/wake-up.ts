/**
 * An in-process "work is due now" signal for a background runner. Only a hint: other instances find the work by
 * polling; the database row is the truth.
 */
export type WakeUp = {
  notify(): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: () => void): () => void;
};

export function createWakeUp(): WakeUp {
  const listeners = new Set<() => void>();
  return {
    notify() {
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
