import { describe, expect, it } from 'vitest';
import { parseAuthorization } from './credentials.js';
import { roleForRequest, workspaceOfPath } from './workspace-path.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('parseAuthorization', () => {
  it('reads Bearer tokens and Basic user:password (password may contain colons)', () => {
    expect(parseAuthorization(undefined)).toBeNull();
    expect(parseAuthorization('')).toBeNull();
    expect(parseAuthorization('Bearer cairn_abc')).toEqual({ kind: 'bearer', token: 'cairn_abc' });
    expect(parseAuthorization('bearer  cairn_abc ')).toEqual({ kind: 'bearer', token: 'cairn_abc' });
    expect(parseAuthorization(basic('ada:pa:ss'))).toEqual({ kind: 'basic', user: 'ada', password: 'pa:ss' });
    expect(parseAuthorization(basic('zoë:pässwörd'))).toEqual({
      kind: 'basic',
      user: 'zoë',
      password: 'pässwörd',
    });
  });

  it('rejects unreadable credentials as UNAUTHENTICATED', () => {
    expect(() => parseAuthorization(basic('no-colon'))).toThrow(/Malformed Basic/);
    expect(() => parseAuthorization('Digest abc')).toThrow(/Unsupported Authorization scheme 'Digest'/);
    expect(() => parseAuthorization('justonetoken')).toThrow(/Unsupported Authorization scheme/);
  });
});

describe('workspaceOfPath', () => {
  it('finds the workspace of native and MLflow paths', () => {
    expect(workspaceOfPath('/api/v1/workspaces/team-a', 'default')).toBe('team-a');
    expect(workspaceOfPath('/api/v1/workspaces/team-a/members/ada', 'default')).toBe('team-a');
    expect(workspaceOfPath('/api/2.0/mlflow/runs/get', 'default')).toBe('default');
    expect(workspaceOfPath('/ajax-api/2.0/mlflow/runs/get', 'main')).toBe('main');
    expect(workspaceOfPath('/api/2.0/mlflow-artifacts/artifacts/1/x', 'default')).toBe('default');
    expect(workspaceOfPath('/workspaces/team-a/api/2.0/mlflow/runs/get', 'default')).toBe('team-a');
    expect(workspaceOfPath('/workspaces/team-a/api/3.0/mlflow/traces', 'default')).toBe('team-a');
  });

  it('returns null outside workspaces', () => {
    for (const path of [
      '/api/v1/workspaces',
      '/api/v1/users/me',
      '/api/v1/tokens',
      '/health',
      '/workspaces/x',
    ]) {
      expect(workspaceOfPath(path, 'default')).toBeNull();
    }
  });
});

describe('roleForRequest', () => {
  it('needs reader to read (MLflow searches included) and contributor to write', () => {
    expect(roleForRequest('GET', '/api/2.0/mlflow/runs/get')).toBe('reader');
    expect(roleForRequest('HEAD', '/x')).toBe('reader');
    expect(roleForRequest('POST', '/api/2.0/mlflow/runs/search')).toBe('reader');
    expect(roleForRequest('POST', '/api/2.0/mlflow/runs/log-metric')).toBe('contributor');
    expect(roleForRequest('PUT', '/api/2.0/mlflow-artifacts/artifacts/a')).toBe('contributor');
    expect(roleForRequest('DELETE', '/api/v1/workspaces/a')).toBe('contributor');
  });
});
