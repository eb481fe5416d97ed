import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { storedToken } from '../api/client.js';
import { needsSignIn, signOut } from '../api/sign-in.js';
import { useWorkspace } from '../api/workspace-context.js';
import { SignIn } from '../components/SignIn.js';
import { navItems } from './routes.js';

/**
 * The frame around every page: the top bar (brand, sections, workspace switcher) and the content, or
 * the sign-in form when the server wants credentials.
 */
export function Shell({ children }: { children: ReactNode }) {
  const [location] = useLocation();
  const { workspace, client } = useWorkspace();
  const me = useQuery({ queryKey: ['me'], queryFn: () => client.users.me(), staleTime: 60_000 });
  const workspaces = me.data?.workspaces.map((w) => w.name) ?? [workspace];
  const active = (match: string) =>
    match === '/'
      ? location === '/' || location.startsWith('/experiments') || location.startsWith('/runs')
      : location.startsWith(match);
  return (
    <div className="shell">
      <header className="topbar">
        <Link href="/" className="brand">
          ▲ Cairn
        </Link>
        <nav>
          {navItems.map((item) => (
            <Link key={item.href} href={item.href} className={active(item.match) ? 'nav active' : 'nav'}>
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="topbar-right">
          <select
            aria-label="Workspace"
            value={workspace}
            onChange={(e) => {
              window.location.assign(`/w/${encodeURIComponent(e.target.value)}`);
            }}
          >
            {(workspaces.includes(workspace) ? workspaces : [workspace, ...workspaces]).map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
          {me.data && <span className="muted">{me.data.user.name}</span>}
          {storedToken() && (
            <button
              type="button"
              className="small"
              onClick={() => {
                signOut();
                window.location.reload();
              }}
            >
              Sign out
            </button>
          )}
        </div>
      </header>
      <main className="content">{needsSignIn(me.error) ? <SignIn /> : children}</main>
    </div>
  );
}
