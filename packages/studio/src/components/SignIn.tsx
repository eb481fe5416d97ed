import { useState } from 'react';
import { errorMessage } from '../api/client.js';
import { signIn } from '../api/sign-in.js';

/** Shown instead of a page when the server wants credentials. */
export function SignIn() {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="page">
      <form
        className="panel sign-in"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await signIn(user, password);
            window.location.reload();
          } catch (err) {
            setError(err);
            setBusy(false);
          }
        }}
      >
        <h1>Sign in to Cairn</h1>
        <label>
          User
          <input type="text" autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error !== null && <div className="error-box">{errorMessage(error)}</div>}
        <button type="submit" className="primary" disabled={busy || user === ''}>
          Sign in
        </button>
      </form>
    </div>
  );
}
