import { useState } from 'preact/hooks';
import { ApiError, READ_ONLY_REASON, readOnly, refusal, request } from '../api.ts';
import { dateTime } from '../format.ts';
import type { ConsoleApiKeysQuery, MerchantKeyRole } from '../generated/graphql.ts';
import type { PageProps } from '../main.tsx';
import { ApiKeysDocument, CreateApiKeyDocument, MerchantsDocument, RevokeApiKeyDocument, RollApiKeyDocument } from '../operations.ts';
import { href } from '../router.ts';
import { Empty, Failure, Show, useLoad } from '../states.tsx';

type ApiKey = ConsoleApiKeysQuery['apiKeys'][number];

/** The longest overlap a rolled key may keep working (the API's limit, rollApiKey). */
const MAX_OVERLAP_HOURS = 168;

const KINDS: { role: MerchantKeyRole; label: string; hint: string }[] = [
  { role: 'SECRET', label: 'Secret', hint: 'everything for this merchant: server-side only' },
  { role: 'READ_ONLY', label: 'Read-only', hint: 'queries and subscriptions, no change' },
  { role: 'PUBLISHABLE', label: 'Publishable', hint: 'for checkout pages; cannot sign in here' },
];

/** ApiKey.role as people say it. */
const KIND_OF_ROLE: Record<string, string> = { MERCHANT: 'Secret', MERCHANT_READ_ONLY: 'Read-only', PUBLISHABLE: 'Publishable', ADMIN: 'ADMIN' };

function stateOf(key: ApiKey, now: number): { label: string; usable: boolean } {
  if (key.revokedAt) return { label: `Revoked ${dateTime(key.revokedAt)}`, usable: false };
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now) return { label: `Expired ${dateTime(key.expiresAt)}`, usable: false };
  if (key.expiresAt) return { label: `Active until ${dateTime(key.expiresAt)}`, usable: true };
  return { label: 'Active', usable: true };
}

/** Copies with the Clipboard API, else the old selection way (a page without clipboard permission). */
async function copyText(text: string, fallbackField: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!fallbackField) return false;
    fallbackField.select();
    return document.execCommand('copy');
  }
}

/**
 * A secret just issued: shown this once, in this component's state only (never storage, never the URL), with a
 * copy button; "Done" (or leaving the page) forgets it.
 */
function IssuedSecret({ issued, onDone }: { issued: { secret: string; what: string }; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean | undefined>(undefined);
  const [field, setField] = useState<HTMLInputElement | null>(null);
  return (
    <div class="notice secret" role="status" aria-label="New key">
      <p>
        <strong>{issued.what}.</strong> Copy it now: it is shown this once, and kept nowhere in this browser.
      </p>
      <input ref={setField} class="mono" readOnly value={issued.secret} aria-label="New key's secret" data-testid="secret" size={60} />{' '}
      <button type="button" onClick={() => void copyText(issued.secret, field).then(setCopied)}>
        Copy
      </button>{' '}
      <button type="button" class="secondary" onClick={onDone}>
        Done
      </button>
      {copied === true && <span class="muted"> Copied.</span>}
      {copied === false && <span class="muted"> The browser refused to copy: select the key and copy it by hand.</span>}
    </div>
  );
}

function RollKey({ apiKey, disabled, onRolled }: { apiKey: ApiKey; disabled: boolean; onRolled: (secret: string, previous: string) => void }) {
  const [hours, setHours] = useState('24');
  const [error, setError] = useState<unknown>(undefined);
  const [pending, setPending] = useState(false);
  const roll = async (event: Event) => {
    event.preventDefault();
    const expiresInHours = Number(hours);
    if (!window.confirm(`Roll ${apiKey.prefix}…? A new key is made now; this one ${expiresInHours === 0 ? 'stops working at once' : `keeps working for ${expiresInHours} h`}.`)) return;
    setPending(true);
    setError(undefined);
    try {
      const result = (await request(RollApiKeyDocument, { id: apiKey.id, expiresInHours })).rollApiKey;
      if (result.__typename === 'RollApiKeySuccess') onRolled(result.secret, apiKey.prefix);
      else setError(refusal(result));
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(false);
    }
  };
  return (
    <form class="inline" onSubmit={roll} aria-label={`Roll ${apiKey.prefix}`}>
      <label title="How long the rolled key keeps working: 0 (not at all) to 168 hours">
        overlap{' '}
        <input name="overlapHours" type="number" min={0} max={MAX_OVERLAP_HOURS} step={1} required value={hours} disabled={disabled} onInput={(event) => setHours(event.currentTarget.value)} size={4} /> h
      </label>{' '}
      <button type="submit" class="secondary" disabled={disabled || pending}>
        Roll
      </button>
      {error !== undefined && <Failure error={error} />}
    </form>
  );
}

/** One merchant's keys (a merchant session: its own; ADMIN: `merchantId`'s): list, create, revoke, roll. */
function KeyManager({ merchantId, locked }: { merchantId: string | undefined; locked: boolean }) {
  const [keys, reload] = useLoad(() => request(ApiKeysDocument, { merchantId: merchantId ?? null }), merchantId ?? '');
  const [role, setRole] = useState<MerchantKeyRole>('SECRET');
  const [issued, setIssued] = useState<{ secret: string; what: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [pending, setPending] = useState(false);
  const act = async (work: () => Promise<ApiError | undefined>) => {
    setPending(true);
    setError(undefined);
    try {
      const refused = await work();
      if (refused) setError(refused);
      reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(false);
    }
  };
  const create = (event: Event) => {
    event.preventDefault();
    setIssued(undefined);
    void act(async () => {
      const result = (await request(CreateApiKeyDocument, { role, merchantId: merchantId ?? null })).createApiKey;
      if (result.__typename !== 'CreateApiKeySuccess') return refusal(result);
      setIssued({ secret: result.secret, what: `New ${KIND_OF_ROLE[result.apiKey.role] ?? result.apiKey.role} key ${result.apiKey.prefix}…` });
      return undefined;
    });
  };
  const revoke = (key: ApiKey) => {
    if (!window.confirm(`Revoke ${key.prefix}…? It stops working at once, and every console session signed in with it ends.`)) return;
    void act(async () => refusal((await request(RevokeApiKeyDocument, { id: key.id })).revokeApiKey));
  };
  const now = Date.now();
  return (
    <>
      <form class="filters" onSubmit={create} aria-label="New key">
        <label>
          Kind
          <select name="kind" value={role} disabled={locked} onChange={(event) => setRole(event.currentTarget.value as MerchantKeyRole)}>
            {KINDS.map((kind) => (
              <option key={kind.role} value={kind.role}>
                {kind.label}: {kind.hint}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={locked || pending} title={locked ? READ_ONLY_REASON : undefined}>
          Create key
        </button>
      </form>
      {locked && <p class="muted">{READ_ONLY_REASON}.</p>}
      {issued && <IssuedSecret issued={issued} onDone={() => setIssued(undefined)} />}
      {error !== undefined && <Failure error={error} />}
      <Show
        state={keys}
        what="API keys"
        retry={reload}
        render={({ apiKeys }) =>
          apiKeys.length === 0 ? (
            <Empty>This merchant has no API key: create one above.</Empty>
          ) : (
            <table aria-label="API keys">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Kind</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th>State</th>
                  <th>Manage</th>
                </tr>
              </thead>
              <tbody>
                {apiKeys.map((key) => {
                  const state = stateOf(key, now);
                  const disabled = locked || pending || !state.usable;
                  return (
                    <tr key={key.id} data-key={key.prefix} class={state.usable ? '' : 'inactive'}>
                      <td class="mono">{key.publishableKey ?? `${key.prefix}…`}</td>
                      <td>{KIND_OF_ROLE[key.role] ?? key.role}</td>
                      <td>{dateTime(key.createdAt)}</td>
                      <td>{key.lastUsedAt ? dateTime(key.lastUsedAt) : 'never'}</td>
                      <td data-testid="key-state">{state.label}</td>
                      <td class="manage">
                        <RollKey
                          apiKey={key}
                          disabled={disabled}
                          onRolled={(secret, previous) => {
                            setIssued({ secret, what: `${previous}… rolled: its new key` });
                            reload();
                          }}
                        />{' '}
                        <button type="button" class="danger" disabled={disabled} title={locked ? READ_ONLY_REASON : undefined} onClick={() => revoke(key)}>
                          Revoke
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      />
    </>
  );
}

/** ADMIN without a merchant chosen: which merchant's keys. */
function ChooseMerchant() {
  const [merchants, reload] = useLoad(() => request(MerchantsDocument, { first: 100 }), 'merchants');
  return (
    <Show
      state={merchants}
      what="merchants"
      retry={reload}
      render={({ merchants: list }) =>
        list.edges.length === 0 ? (
          <Empty>No merchant yet: create one on the Operations page.</Empty>
        ) : (
          <>
            <p class="muted">Choose a merchant (here, in the header, or on the Operations page) to manage its keys.</p>
            <ul class="merchant-list">
              {list.edges.map(({ node }) => (
                <li key={node.id}>
                  <a href={href(['keys'], { merchant: node.id })}>{node.name}</a>
                </li>
              ))}
            </ul>
          </>
        )
      }
    />
  );
}

/**
 * API keys: a merchant session manages its own merchant's (whatever the URL says: the API decides whose keys a
 * caller sees), ADMIN any merchant's (the header's merchant filter). ADMIN keys themselves stay with the CLI.
 */
export function ApiKeys({ session, merchantId }: PageProps) {
  const admin = session.role === 'ADMIN';
  return (
    <section>
      <h1>API keys{!admin && session.merchant ? ` of ${session.merchant.name}` : ''}</h1>
      {admin && merchantId === undefined ? <ChooseMerchant /> : <KeyManager key={merchantId ?? 'own'} merchantId={admin ? merchantId : undefined} locked={readOnly(session)} />}
    </section>
  );
}
