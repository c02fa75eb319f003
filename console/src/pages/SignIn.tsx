import { useState } from 'preact/hooks';
import { signIn, type Session } from '../api.ts';
import { Failure } from '../states.tsx';

/**
 * Sign-in with an API key: sent once, in the body of POST /console/session, which answers with the session cookie.
 * The key is kept nowhere (not in storage, not in the URL); the field is cleared whatever the outcome.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [apiKey, setApiKey] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      const session = await signIn(apiKey.trim());
      onSignedIn(session);
    } catch (failure) {
      setError(failure);
    } finally {
      setApiKey('');
      setPending(false);
    }
  };
  return (
    <div class="sign-in">
      <form onSubmit={submit} method="post" autocomplete="off">
        <h1>Paystream console</h1>
        <p class="hint">Sign in with a merchant API key, or an ADMIN key for every merchant.</p>
        <label>
          API key
          <input
            name="apiKey"
            type="password"
            required
            autocomplete="off"
            spellcheck={false}
            value={apiKey}
            onInput={(event) => setApiKey(event.currentTarget.value)}
            placeholder="psk_…"
          />
        </label>
        <button type="submit" disabled={pending || apiKey.trim() === ''}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
        {error !== undefined && <Failure error={error} />}
      </form>
    </div>
  );
}
