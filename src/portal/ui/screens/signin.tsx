import { useState } from 'preact/hooks';
import { post } from '../api.ts';

const ERRORS: Record<string, string> = {
  no_role: 'Your account has no Segmentloom role: ask an administrator to add you to a portal group.',
  sso_failed: 'Single sign-on did not complete. Try again.',
  expired: 'The sign-in took too long. Try again.',
};

export function SignIn(props: { sso: boolean; keySignIn: boolean; error: string | null; onSignedIn: () => Promise<void> }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(props.error ? (ERRORS[props.error] ?? 'Sign-in failed.') : null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await post('/portal/auth/key', { apiKey: key });
      setKey('');
      location.hash = '#/inbox';
      await props.onSignedIn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin" id="main">
      <h1>Segmentloom Privacy Portal</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {props.sso && (
        <p>
          <a class="button primary" href="/portal/auth/oidc/login">
            Sign in with single sign-on
          </a>
        </p>
      )}
      {props.keySignIn && (
        <form onSubmit={submit} aria-label="Sign in with an API key">
          <label for="apikey">API key</label>
          <input id="apikey" type="password" autocomplete="off" value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} required />
          <button type="submit" disabled={busy}>
            Sign in with API key
          </button>
          <p class="hint">
            First start: create a key with <code>segmentloom keys create --role owner --name admin</code>.
          </p>
        </form>
      )}
    </main>
  );
}
