import { describe, expect, it } from 'vitest';
import { parseEventStream, type SseMessage } from './jobs.js';

async function parse(...pieces: string[]): Promise<SseMessage[]> {
  const bytes = pieces.map((p) => new TextEncoder().encode(p));
  async function* body() {
    yield* bytes;
  }
  const out: SseMessage[] = [];
  for await (const m of parseEventStream(body())) out.push(m);
  return out;
}

describe('parseEventStream', () => {
  it('reads events split anywhere across chunks, with ids, comments and multi-line data', async () => {
    const text = ': hello\nid: 7\nevent: log\ndata: {"a":1}\n\nevent: status\ndata: one\ndata: two\n\n';
    const whole = await parse(text);
    expect(whole).toEqual([
      { event: 'log', data: '{"a":1}', id: '7' },
      { event: 'status', data: 'one\ntwo', id: '7' },
    ]);
    expect(await parse(...text.split(''))).toEqual(whole);
  });

  it('accepts CRLF and CR line ends, a default event name, and drops an unfinished message', async () => {
    expect(await parse('data: x\r\n\r', '\ndata:y\r\rdata: cut')).toEqual([
      { event: 'message', data: 'x', id: null },
      { event: 'message', data: 'y', id: null },
    ]);
  });
});
