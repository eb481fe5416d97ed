import { Link } from 'wouter';

export function NotFound() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <Link href="/">Go to the workspace home</Link>.
      </p>
    </div>
  );
}
