import type { Cursor } from './cursor.js';
import type { Comparator, FilterClause, FilterValue } from './filter-ast.js';

/** An identifier as written: `metrics.acc`, `` tags.`a b` ``, `status`. */
export interface RawIdentifier {
  /** The entity prefix (`metrics`), or null for a bare key. */
  prefix: string | null;
  key: string;
  /** The identifier exactly as written, for error messages. */
  text: string;
  position: number;
}

/** What a schema says about one identifier: which entity and key it is, and what it may be compared with. */
export interface FieldSpec<Entity extends string = string, Key extends string = string> {
  entity: Entity;
  key: Key;
  /** `number`: an unquoted number; `integer`: an unquoted integer; `id`: an integer, quoted or not. */
  valueKind: 'number' | 'integer' | 'id' | 'string';
  comparators: readonly Comparator[];
  /** Completes "found 'LIKE' (…)": e.g. `metrics support >, >=, =, !=, <, <=`. */
  supports: string;
}

export type Resolver<Entity extends string, Key extends string> = (
  id: RawIdentifier,
  cursor: Cursor,
) => FieldSpec<Entity, Key>;

const KEY_STOP = /[^\s<>=!(),'"`]/;
const WORD_START = /[A-Za-z_]/;
const QUOTES = new Set(['"', '`']);

/**
 * Reads `prefix.key`, `` prefix.`quoted key` ``, `prefix."quoted key"`, `prefix.'quoted key'`, a bare
 * key, or a fully quoted `` `prefix.key with spaces` `` whose prefix is one of `prefixes`.
 */
export function readIdentifier(c: Cursor, prefixes: ReadonlySet<string>): RawIdentifier {
  const position = c.pos;
  let head: string;
  if (QUOTES.has(c.char())) {
    head = c.readQuoted('quoted name');
    if (c.char() !== '.') {
      const dot = head.indexOf('.');
      const text = c.text.slice(position, c.pos);
      if (dot > 0 && prefixes.has(head.slice(0, dot))) {
        return { prefix: head.slice(0, dot), key: head.slice(dot + 1), text, position };
      }
      return { prefix: null, key: head, text, position };
    }
  } else if (WORD_START.test(c.char())) {
    head = c.readWhile(/\w/);
  } else {
    const hint = c.char() === '(' ? ' (parentheses are not supported; join clauses with AND)' : '';
    throw c.error(
      position,
      `expected a key such as metrics.accuracy, params.lr, tags.team or an attribute name, found ${c.fragment(position)}${hint}`,
    );
  }
  if (c.char() !== '.') return { prefix: null, key: head, text: head, position };
  c.pos++;
  const keyPos = c.pos;
  let key: string;
  if (c.char() === "'" || c.char() === '"' || c.char() === '`') {
    key = c.readQuoted('quoted key');
  } else {
    key = c.readWhile(KEY_STOP);
  }
  const text = c.text.slice(position, c.pos);
  if (key === '') {
    throw c.error(keyPos, `expected a key name after '${text}', found ${c.fragment(keyPos)}`);
  }
  return { prefix: head, key, text, position };
}

/** Reads a comparison operator, or returns null when none starts at the cursor. */
function readComparator(c: Cursor): string | null {
  const symbol = c.match(/>=|<=|!=|==|<>|=|>|</y);
  if (symbol) return symbol;
  const word = c.peekWord().toUpperCase();
  if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') {
    c.pos += word.length;
    return word;
  }
  if (word === 'NOT') {
    const start = c.pos;
    c.pos += 3;
    c.skipWhitespace();
    if (c.peekWord().toUpperCase() === 'IN') {
      c.pos += 2;
      return 'NOT IN';
    }
    throw c.error(c.pos, `expected IN after NOT at position ${start}, found ${c.fragment(c.pos)}`);
  }
  if (word === 'IS') {
    c.pos += 2;
    c.skipWhitespace();
    let negated = false;
    if (c.peekWord().toUpperCase() === 'NOT') {
      negated = true;
      c.pos += 3;
      c.skipWhitespace();
    }
    if (c.peekWord().toUpperCase() === 'NULL') {
      c.pos += 4;
      return negated ? 'IS NOT NULL' : 'IS NULL';
    }
    throw c.error(c.pos, `expected NULL after IS${negated ? ' NOT' : ''}, found ${c.fragment(c.pos)}`);
  }
  return null;
}

const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const INTEGER = /-?\d+/y;

function readNumber(c: Cursor, spec: FieldSpec, id: RawIdentifier, comparator: string): number {
  const start = c.pos;
  const integerOnly = spec.valueKind === 'integer';
  const text = c.match(NUMBER);
  const bad = text === null || /[\w.]/.test(c.char()) || (integerOnly && !/^-?\d+$/.test(text));
  if (bad) {
    const wanted = integerOnly ? 'an integer' : 'a number';
    const why =
      spec.entity === 'metric' ? 'metric values are unquoted numbers' : `${id.text} is compared as a number`;
    throw c.error(
      start,
      `expected ${wanted} after '${id.text} ${comparator}', found ${c.fragment(start)} (${why})`,
    );
  }
  return Number(text);
}

function readString(c: Cursor, spec: FieldSpec, id: RawIdentifier): string {
  if (c.char() === "'" || c.char() === '"') return c.readQuoted('string');
  if (spec.valueKind === 'id') {
    const start = c.pos;
    const digits = c.match(INTEGER);
    if (digits !== null && !/[\w.]/.test(c.char())) return digits;
    c.pos = start;
  }
  throw c.error(
    c.pos,
    `expected a quoted string for ${id.text}, found ${c.fragment(c.pos)} (quote values with ' or ", e.g. 'my-value')`,
  );
}

function checkId(c: Cursor, value: string, position: number, id: RawIdentifier): string {
  if (!/^\d+$/.test(value)) {
    throw c.error(position, `${id.text} must be an integer id, found '${value}'`);
  }
  return value;
}

function readList(c: Cursor, spec: FieldSpec, id: RawIdentifier, comparator: string): string[] {
  if (c.char() !== '(') {
    throw c.error(
      c.pos,
      `expected a parenthesised list of quoted strings after ${comparator}, e.g. ('a', 'b'), found ${c.fragment(c.pos)}`,
    );
  }
  const open = c.pos;
  c.pos++;
  const values: string[] = [];
  for (;;) {
    c.skipWhitespace();
    if (c.char() === ')' && values.length === 0) {
      throw c.error(open, `expected a non-empty list of quoted strings after ${comparator}, found '()'`);
    }
    if (c.char() === ')') break;
    const at = c.pos;
    const value = readString(c, spec, id);
    values.push(spec.valueKind === 'id' ? checkId(c, value, at, id) : value);
    c.skipWhitespace();
    if (c.char() === ',') {
      c.pos++;
      c.skipWhitespace();
      if (c.char() === ')') break; // a trailing comma, as Python's tuple literal allows
      continue;
    }
    if (c.char() === ')') break;
    throw c.error(
      c.pos,
      c.atEnd
        ? `unterminated list opened at position ${open}: add the closing )`
        : `expected ',' or ')' in the list, found ${c.fragment(c.pos)}`,
    );
  }
  c.pos++;
  return values;
}

function parseClause<E extends string, K extends string>(
  c: Cursor,
  prefixes: ReadonlySet<string>,
  resolve: Resolver<E, K>,
): FilterClause<E, K> {
  const id = readIdentifier(c, prefixes);
  const spec = resolve(id, c);
  c.skipWhitespace();
  const opPos = c.pos;
  const raw = readComparator(c);
  const comparator = spec.comparators.find((k) => k === raw);
  if (comparator === undefined) {
    const hint = raw === '==' ? "; use '=' for equality" : raw === '<>' ? "; use '!=' for inequality" : '';
    throw c.error(
      opPos,
      `expected a comparison operator after '${id.text}', found ${c.fragment(opPos)} (${spec.supports})${hint}`,
    );
  }
  let value: FilterValue;
  if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') {
    value = { kind: 'none' };
  } else {
    c.skipWhitespace();
    if (c.atEnd) {
      throw c.error(c.pos, `expected a value after '${id.text} ${comparator}', found end of input`);
    }
    if (comparator === 'IN' || comparator === 'NOT IN') {
      value = { kind: 'list', values: readList(c, spec, id, comparator) };
    } else if (spec.valueKind === 'string' || spec.valueKind === 'id') {
      const at = c.pos;
      const s = readString(c, spec, id);
      value =
        spec.valueKind === 'id'
          ? { kind: 'number', value: Number(checkId(c, s, at, id)) }
          : { kind: 'string', value: s };
    } else {
      value = { kind: 'number', value: readNumber(c, spec, id, comparator) };
    }
  }
  return { entity: spec.entity, key: spec.key, comparator, value, position: id.position };
}

/** Parses `clause AND clause AND …` (AND in any case; a trailing AND is tolerated, as MLflow does). */
export function parseClauses<E extends string, K extends string>(
  c: Cursor,
  prefixes: ReadonlySet<string>,
  resolve: Resolver<E, K>,
): FilterClause<E, K>[] {
  const clauses: FilterClause<E, K>[] = [];
  c.skipWhitespace();
  while (!c.atEnd) {
    clauses.push(parseClause(c, prefixes, resolve));
    c.skipWhitespace();
    if (c.atEnd) break;
    const at = c.pos;
    const word = c.peekWord();
    const upper = word.toUpperCase();
    const boundary = !/\w/.test(c.text[at + word.length] ?? ' ');
    if (upper === 'AND' && boundary) {
      c.pos += 3;
      c.skipWhitespace();
      continue;
    }
    if (upper === 'OR' && boundary) {
      throw c.error(
        at,
        `OR is not supported, found ${c.fragment(at)}: a filter joins its clauses with AND only`,
      );
    }
    throw c.error(at, `expected AND between clauses, found ${c.fragment(at)}`);
  }
  return clauses;
}
