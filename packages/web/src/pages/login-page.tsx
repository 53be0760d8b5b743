import { useState } from 'preact/hooks';
import { useLocation, useSearch } from 'wouter-preact';
import { ErrorBox } from '../components/bits.js';
import { useSession } from '../session.js';

export function LoginPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const back = new URLSearchParams(useSearch()).get('return');
  const [token, setToken] = useState('');
  const [error, setError] = useState<Error | undefined>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await session.login(token);
      // Only a path of this site: a crafted ?return= must not send the user elsewhere.
      navigate(back && back.startsWith('/') && !back.startsWith('//') ? back : '/');
    } catch (caught) {
      setError(caught as Error);
    }
  };
  return (
    <section class="panel login">
      <h1>Log in</h1>
      <p>
        Reading is open to anyone who can reach this engine. To trigger, pause, pin or abort, enter the engine's API token: it is in{' '}
        <code>.weir/token</code> (the data directory) on the machine running <code>weir up</code>.
      </p>
      <form onSubmit={submit}>
        <label>
          API token <input type="password" name="token" autocomplete="current-password" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        </label>
        <button type="submit">Log in</button>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}
