import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { authorize, type Action } from '../../api/authz.ts';
import { get, post, prefetch, setCsrf } from './api.ts';
import { Alerts } from './screens/alerts.tsx';
import { Audit } from './screens/audit.tsx';
import { Controls } from './screens/controls.tsx';
import { Detection } from './screens/detection.tsx';
import { Inbox, inboxPageUrl } from './screens/inbox.tsx';
import { Inventory } from './screens/inventory.tsx';
import { Keys } from './screens/keys.tsx';
import { Requests } from './screens/requests.tsx';
import { SignIn } from './screens/signin.tsx';
import type { Me, Session } from './types.ts';

export type { Session } from './types.ts';

const SCREENS: Array<{ id: string; label: string; action: Action; view: (s: Session) => preact.JSX.Element }> = [
  { id: 'inbox', label: 'Inbox', action: 'inventory.read', view: (s) => <Inbox session={s} /> },
  { id: 'inventory', label: 'Inventory', action: 'inventory.read', view: (s) => <Inventory session={s} /> },
  { id: 'detection', label: 'Detection', action: 'classifiers.read', view: (s) => <Detection session={s} /> },
  { id: 'controls', label: 'Controls', action: 'policies.read', view: (s) => <Controls session={s} /> },
  { id: 'alerts', label: 'Alerts', action: 'alerts.read', view: (s) => <Alerts session={s} /> },
  { id: 'requests', label: 'Requests', action: 'requests.read', view: (s) => <Requests session={s} /> },
  { id: 'audit', label: 'Audit log', action: 'audit.read', view: () => <Audit /> },
  { id: 'keys', label: 'API keys', action: 'keys.manage', view: (s) => <Keys session={s} /> },
];

function route(): { screen: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [screen = '', query = ''] = hash.split('?');
  return { screen, params: new URLSearchParams(query) };
}

function App() {
  const [state, setState] = useState<{ loaded: boolean; me: Me | null; sso: boolean; key: boolean }>({ loaded: false, me: null, sso: false, key: true });
  const [where, setWhere] = useState(route());

  const refresh = async () => {
    const s = await get('/portal/auth/session');
    setCsrf(s.csrfToken);
    setState({ loaded: true, me: s.principal, sso: s.signIn.sso, key: s.signIn.key });
  };
  useEffect(() => {
    void refresh();
    const on = () => setWhere(route());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);

  if (!state.loaded) return <p class="loading">Loading…</p>;
  if (!state.me) return <SignIn sso={state.sso} keySignIn={state.key} error={where.params.get('error')} onSignedIn={refresh} />;
  const me = state.me;
  const session: Session = { me, can: (action) => authorize(me, action).allowed };
  const visible = SCREENS.filter((s) => session.can(s.action));
  const current = visible.find((s) => s.id === where.screen) ?? visible[0]!;

  const signOut = async () => {
    await post('/portal/auth/signout');
    location.hash = '#/signin';
    await refresh();
  };
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="#/inbox">
          Segmentloom <span>Privacy Portal</span>
        </a>
        <nav aria-label="Screens">
          <ul>
            {visible.map((s) => (
              <li key={s.id}>
                <a href={`#/${s.id}`} aria-current={s.id === current.id ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {me.name} · <strong data-role={me.role}>{me.role}</strong>
          </span>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <Title label={current.label} />
      <main id="main">{current.view(session)}</main>
    </div>
  );
}

function Title({ label }: { label: string }) {
  useEffect(() => void (document.title = `${label} · Segmentloom Privacy Portal`), [label]);
  return null;
}

// The session and the inbox's first page are asked for together: the rows do not wait for the
// session's round trip (a signed-out visitor's 401 is dropped; the sign-in screen shows instead).
prefetch('/portal/auth/session');
if (['', 'inbox'].includes(route().screen)) prefetch(inboxPageUrl({}, 0));
render(<App />, document.getElementById('app')!);
