import { describe, expect, it } from 'vitest';
import { CairnApiError } from './errors.js';
import { fromWire, toWire } from './numbers.js';
import { Transport } from './transport.js';

describe('CairnApiError.fromResponse', () => {
  it('reads the native error body', async () => {
    const res = new Response(
      JSON.stringify({
        error: { code: 'NOT_FOUND', message: 'Run with id=x not found', details: { field: 'runId' } },
      }),
      { status: 404 },
    );
    const err = await CairnApiError.fromResponse(res);
    expect(err).toMatchObject({ code: 'NOT_FOUND', status: 404, message: 'Run with id=x not found' });
    expect(err.details.field).toBe('runId');
  });

  it('explains a response that is not from Cairn', async () => {
    const err = await CairnApiError.fromResponse(new Response('<html>Bad Gateway</html>', { status: 502 }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toMatch(/HTTP 502.*Bad Gateway.*Cairn server/);
  });
});

describe('wire numbers', () => {
  it('round-trips non-finite values', () => {
    for (const v of [1.5, 0, -3, Number.NaN, Infinity, -Infinity]) expect(fromWire(toWire(v))).toBe(v);
    expect(toWire(Number.NaN)).toBe('NaN');
  });
});

describe('Transport.url', () => {
  it('repeats array query values and skips undefined ones', () => {
    const t = new Transport({ baseUrl: 'http://h:1/' });
    expect(t.url('/a', { orderBy: ['x', 'y'], n: 3, skip: undefined })).toBe(
      'http://h:1/a?orderBy=x&orderBy=y&n=3',
    );
  });

  it('rejects a base URL without a scheme', () => {
    expect(() => new Transport({ baseUrl: 'localhost:5000' })).toThrow(/http:\/\//);
  });
});
