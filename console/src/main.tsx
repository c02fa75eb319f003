import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, onSignedOut, request, signOut, type Session } from './api.ts';
import { MerchantsDocument } from './operations.ts';
import { Live } from './pages/Live.tsx';
import { Operations } from './pages/Operations.tsx';
import { Reports } from './pages/Reports.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { TransactionDetail } from './pages/TransactionDetail.tsx';
import { Transactions } from './pages/Transactions.tsx';
import { href, navigate, useRoute, type Route } from './router.ts';
import { Failure, Loading, useLoad } from './states.tsx';
import './style.css';

/** What every page gets: who is signed in, and (ADMIN) the merchant the view is narrowed to. */
export type PageProps = { session: Session; route: Route; merchantId: string | undefined };

type Page = { path: string; title: string; adminOnly?: boolean; view: (props: PageProps) => preact.JSX.Element };

type PageView = (props: PageProps) => preact.JSX.Element;

// Pages seldom opened load with their first visit, so the first load of the console stays small.
const loadApiKeys = () => import('./pages/ApiKeys.tsx').then((module) => module.ApiKeys);

function LazyPage({ load, props, what }: { load: () => Promise<PageView>; props: PageProps; what: string }) {
  const [view, setView] = useState<{ page: PageView } | { error: unknown } | undefined>(undefined);
  useEffect(() => {
    load().then(
      (page) => setView({ page }),
      (error: unknown) => setView({ error }),
    );
  }, [load]);
  if (view === undefined) return <Loading what={what} />;
  if ('error' in view) return <Failure error={view.error} retry={() => window.location.reload()} />;
  const Page = view.page;
  return <Page {...props} />;
}

const PAGES: Page[] = [
  { path: 'live', title: 'Live', view: (props) => <Live {...props} /> },
  {
    path: 'transactions',
    title: 'Transactions',
    view: (props) => (props.route.path[1] === undefined ? <Transactions {...props} /> : <TransactionDetail key={props.route.path[1]} {...props} />),
  },
  { path: 'reports', title: 'Reports', view: (props) => <Reports {...props} /> },
  { path: 'operations', title: 'Operations', adminOnly: true, view: (props) => <Operations {...props} /> },
  { path: 'keys', title: 'API keys', view: (props) => <LazyPage load={loadApiKeys} props={props} what="API keys" /> },
];

const ROLE_LABEL: Record<Session['role'], string> = { ADMIN: 'ADMIN', MERCHANT: 'MERCHANT', MERCHANT_READ_ONLY: 'READ-ONLY' };

function MerchantFilter({ route }: { route: Route }) {
  const [merchants] = useLoad(() => request(MerchantsDocument, { first: 100 }), 'merchants');
  const selected = route.params.get('merchant') ?? '';
  const choose = (merchant: string) => {
    const params = Object.fromEntries(route.params);
    navigate(route.path, { ...params, merchant: merchant === '' ? undefined : merchant });
  };
  return (
    <label class="merchant-filter">
      Merchant
      <select value={selected} onChange={(event) => choose(event.currentTarget.value)} disabled={merchants.status !== 'ready'}>
        <option value="">All merchants</option>
        {merchants.status === 'ready' &&
          merchants.data.merchants.edges.map(({ node }) => (
            <option key={node.id} value={node.id}>
              {node.name}
            </option>
          ))}
      </select>
    </label>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const pages = PAGES.filter((page) => page.adminOnly !== true || session.role === 'ADMIN');
  const page = pages.find((candidate) => candidate.path === route.path[0]);
  useEffect(() => {
    if (!page) navigate([pages[0]?.path ?? 'reports']);
  }, [page]);
  const merchantId = session.role === 'ADMIN' ? (route.params.get('merchant') ?? undefined) : undefined;
  const keep = { merchant: merchantId };
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">Paystream</span>
        <nav>
          {pages.map((candidate) => (
            <a key={candidate.path} href={href([candidate.path], keep)} class={candidate === page ? 'active' : ''}>
              {candidate.title}
            </a>
          ))}
        </nav>
        <span class="who">
          {session.role === 'ADMIN' ? <MerchantFilter route={route} /> : <span class="merchant-name">{session.merchant?.name}</span>}
          <span class="role">{ROLE_LABEL[session.role]}</span>
          <button type="button" class="sign-out" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <main>{page ? page.view({ session, route, merchantId }) : <Loading what="the page" />}</main>
    </div>
  );
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    onSignedOut(() => setSession(null));
    currentSession().then(setSession, setError);
  }, []);
  if (error !== undefined) return <Failure error={error} retry={() => window.location.reload()} />;
  if (session === undefined) return <Loading what="your session" />;
  if (session === null) return <SignIn onSignedIn={setSession} />;
  return (
    <Shell
      session={session}
      onSignOut={() => {
        void signOut().finally(() => {
          setSession(null);
          window.location.hash = '';
        });
      }}
    />
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
