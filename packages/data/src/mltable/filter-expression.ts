import { invalidArgument } from '@cairn/core';

/**
 * The `filter` transformation's expression language: the subset of Azure ML's MLTable filter that
 * compares columns with literals, e.g. `col("Age") > 30 and (col("Sex") == "male" or col("Pclass") in [1, 2])`.
 *
 * ```
 * expression := or
 * or         := and ( "or" and )*
 * and        := not ( "and" not )*
 * not        := "not" not | predicate
 * predicate  := "(" expression ")"
 *             | operand ( ("==" | "!=" | "<" | "<=" | ">" | ">=") operand )?
 *             | column "is" "not"? ("null" | "None")
 *             | column "not"? "in" "[" literal ( "," literal )* "]"
 * operand    := column | literal
 * column     := "col" "(" string ")"
 * literal    := string | number | true | false | null      (True, False and None also accepted)
 * string     := "..." or '...' with \" \' \\ \n \t escapes
 * ```
 *
 * `and`, `or`, `not`, `in`, `is` are case-insensitive. A bare column is a boolean test. A comparison
 * needs a column on at least one side; `== null` and `!= null` mean `is null` and `is not null`.
 * The expression is parsed into a tree and rendered to SQL with bound parameters, so no text the
 * user wrote reaches SQL as text.
 */
export type FilterLiteral = string | number | boolean | null;

export type FilterOperand = { kind: 'column'; name: string } | { kind: 'literal'; value: FilterLiteral };

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type FilterExpr =
  | { kind: 'and' | 'or'; operands: FilterExpr[] }
  | { kind: 'not'; operand: FilterExpr }
  | { kind: 'compare'; op: CompareOp; left: FilterOperand; right: FilterOperand }
  | { kind: 'is-null'; column: string; negated: boolean }
  | { kind: 'in'; column: string; values: FilterLiteral[]; negated: boolean }
  | { kind: 'column'; name: string };

/** At most this many characters, and this much nesting, so that a hostile filter cannot exhaust the stack. */
export const MAX_FILTER_LENGTH = 10_000;
const MAX_DEPTH = 64;

type Token =
  | { type: 'word'; text: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; text: string; at: number }
  | { type: 'punct'; text: string; at: number }
  | { type: 'end'; at: number };

const PUNCT = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', ','] as const;
const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', n: '\n', t: '\t', r: '\r' };

/** A filter error: INVALID_ARGUMENT with the 0-based character offset in `details.position`. */
function filterError(expression: string, at: number, message: string) {
  return invalidArgument(
    `invalid filter ${JSON.stringify(clip(expression))}: ${message} (at character ${at + 1})`,
    {
      field: 'filter',
      position: at,
    },
  );
}

const clip = (text: string): string => (text.length > 80 ? `${text.slice(0, 77)}...` : text);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const at = i;
    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length)
          throw filterError(source, at, `the string starting here is not closed with ${ch}`);
        const c = source[i]!;
        if (c === ch) break;
        if (c === '\\') {
          const next = source[i + 1];
          const escaped = next === undefined ? undefined : ESCAPES[next];
          if (escaped === undefined) {
            throw filterError(source, i, `unknown escape \\${next ?? ''}; use \\" \\' \\\\ \\n \\t or \\r`);
          }
          value += escaped;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      tokens.push({ type: 'string', value, at });
      continue;
    }
    const number = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
    if (number !== null && (ch !== '-' || !/[\w)\]]/.test(source.slice(0, i).trimEnd().slice(-1)))) {
      const value = Number(number[0]);
      if (!Number.isFinite(value)) throw filterError(source, at, `${number[0]} is not a finite number`);
      tokens.push({ type: 'number', value, text: number[0], at });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (word !== null) {
      tokens.push({ type: 'word', text: word[0], at });
      i += word[0].length;
      continue;
    }
    const punct = PUNCT.find((p) => source.startsWith(p, i));
    if (punct !== undefined) {
      tokens.push({ type: 'punct', text: punct, at });
      i += punct.length;
      continue;
    }
    if (ch === '=') throw filterError(source, at, 'use == to compare for equality');
    if (ch === '&' || ch === '|') throw filterError(source, at, `use "and" / "or" instead of ${ch}`);
    throw filterError(source, at, `unexpected character ${JSON.stringify(ch)}`);
  }
  tokens.push({ type: 'end', at: source.length });
  return tokens;
}

const isWord = (token: Token, ...words: string[]): boolean =>
  token.type === 'word' && words.includes(token.text.toLowerCase());
const isPunct = (token: Token, text: string): boolean => token.type === 'punct' && token.text === text;

const describe = (token: Token): string => {
  switch (token.type) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return JSON.stringify(token.value);
    case 'number':
      return token.text;
    default:
      return `"${token.text}"`;
  }
};

class FilterParser {
  private index = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parse(): FilterExpr {
    const expr = this.or(0);
    const rest = this.peek();
    if (rest.type !== 'end') throw this.error(rest, `expected "and", "or" or the end, got ${describe(rest)}`);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.type !== 'end') this.index++;
    return token;
  }

  private error(token: Token, message: string) {
    return filterError(this.source, token.at, message);
  }

  private expectPunct(text: string, what: string): void {
    const token = this.next();
    if (!isPunct(token, text)) throw this.error(token, `expected ${text} ${what}, got ${describe(token)}`);
  }

  private or(depth: number): FilterExpr {
    const operands = [this.and(depth)];
    while (isWord(this.peek(), 'or')) {
      this.next();
      operands.push(this.and(depth));
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private and(depth: number): FilterExpr {
    const operands = [this.not(depth)];
    while (isWord(this.peek(), 'and')) {
      this.next();
      operands.push(this.not(depth));
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private not(depth: number): FilterExpr {
    if (depth > MAX_DEPTH) throw this.error(this.peek(), `nested more than ${MAX_DEPTH} levels deep`);
    if (isWord(this.peek(), 'not')) {
      this.next();
      return { kind: 'not', operand: this.not(depth + 1) };
    }
    return this.predicate(depth);
  }

  private predicate(depth: number): FilterExpr {
    const start = this.peek();
    if (isPunct(start, '(')) {
      this.next();
      const inner = this.or(depth + 1);
      this.expectPunct(')', 'to close the parenthesis');
      return inner;
    }
    const left = this.operand();
    const token = this.peek();
    if (token.type === 'punct' && ['==', '!=', '<', '<=', '>', '>='].includes(token.text)) {
      this.next();
      const op = token.text as CompareOp;
      const right = this.operand();
      return this.comparison(op, left, right, start, token);
    }
    if (isWord(token, 'is')) {
      this.next();
      const column = this.requireColumn(left, start, '"is null"');
      const negated = isWord(this.peek(), 'not');
      if (negated) this.next();
      const what = this.next();
      if (!isWord(what, 'null', 'none'))
        throw this.error(what, `expected null after "is", got ${describe(what)}`);
      return { kind: 'is-null', column, negated };
    }
    if (isWord(token, 'in') || (isWord(token, 'not') && isWord(this.tokens[this.index + 1]!, 'in'))) {
      const negated = isWord(token, 'not');
      this.next();
      if (negated) this.next();
      const column = this.requireColumn(left, start, '"in"');
      return { kind: 'in', column, values: this.literalList(), negated };
    }
    if (left.kind === 'column') return { kind: 'column', name: left.name };
    throw this.error(
      token,
      `expected a comparison (== != < <= > >=) after ${describe(start)}, got ${describe(token)}`,
    );
  }

  private comparison(
    op: CompareOp,
    left: FilterOperand,
    right: FilterOperand,
    start: Token,
    opToken: Token,
  ): FilterExpr {
    if (left.kind === 'literal' && right.kind === 'literal') {
      throw this.error(start, 'a comparison needs a column on at least one side, written col("name")');
    }
    const nullSide =
      left.kind === 'literal' && left.value === null
        ? right
        : right.kind === 'literal' && right.value === null
          ? left
          : undefined;
    if (nullSide !== undefined && nullSide.kind === 'column') {
      if (op !== '==' && op !== '!=')
        throw this.error(opToken, `null can only be compared with == or !=, not ${op}`);
      return { kind: 'is-null', column: nullSide.name, negated: op === '!=' };
    }
    return { kind: 'compare', op, left, right };
  }

  private requireColumn(operand: FilterOperand, token: Token, what: string): string {
    if (operand.kind !== 'column')
      throw this.error(token, `${what} needs a column on its left, written col("name")`);
    return operand.name;
  }

  private operand(): FilterOperand {
    const token = this.next();
    if (isWord(token, 'col')) {
      this.expectPunct('(', 'after col');
      const name = this.next();
      if (name.type !== 'string')
        throw this.error(name, `expected a column name in quotes, got ${describe(name)}`);
      if (name.value === '' || name.value.includes('\0'))
        throw this.error(name, 'a column name must not be empty');
      this.expectPunct(')', 'after the column name');
      return { kind: 'column', name: name.value };
    }
    const literal = this.literalOf(token);
    if (literal !== undefined) return { kind: 'literal', value: literal.value };
    if (token.type === 'word') {
      throw this.error(
        token,
        `unknown word "${token.text}": refer to a column as col("${token.text}") and quote strings`,
      );
    }
    throw this.error(token, `expected col("name") or a value, got ${describe(token)}`);
  }

  private literalOf(token: Token): { value: FilterLiteral } | undefined {
    if (token.type === 'string' || token.type === 'number') return { value: token.value };
    if (isWord(token, 'true')) return { value: true };
    if (isWord(token, 'false')) return { value: false };
    if (isWord(token, 'null', 'none')) return { value: null };
    return undefined;
  }

  private literalList(): FilterLiteral[] {
    this.expectPunct('[', 'to start the list after "in"');
    const values: FilterLiteral[] = [];
    for (;;) {
      const token = this.next();
      const literal = this.literalOf(token);
      if (literal === undefined)
        throw this.error(token, `expected a value in the list, got ${describe(token)}`);
      values.push(literal.value);
      const sep = this.next();
      if (isPunct(sep, ']')) return values;
      if (!isPunct(sep, ',')) throw this.error(sep, `expected , or ] in the list, got ${describe(sep)}`);
    }
  }
}

/** Parses a filter expression; a mistake throws INVALID_ARGUMENT naming the character where it is. */
export function parseFilterExpression(expression: string): FilterExpr {
  if (expression.length > MAX_FILTER_LENGTH) {
    throw invalidArgument(
      `a filter may be at most ${MAX_FILTER_LENGTH} characters, got ${expression.length}`,
      {
        field: 'filter',
      },
    );
  }
  if (expression.trim() === '') throw filterError(expression, 0, 'the expression is empty');
  return new FilterParser(expression, tokenize(expression)).parse();
}

/** Every column a filter refers to, in order of first appearance. */
export function filterColumns(expr: FilterExpr): string[] {
  const names = new Set<string>();
  const visit = (e: FilterExpr): void => {
    switch (e.kind) {
      case 'and':
      case 'or':
        e.operands.forEach(visit);
        return;
      case 'not':
        visit(e.operand);
        return;
      case 'compare':
        for (const side of [e.left, e.right]) if (side.kind === 'column') names.add(side.name);
        return;
      case 'is-null':
      case 'in':
        names.add(e.column);
        return;
      case 'column':
        names.add(e.name);
        return;
    }
  };
  visit(expr);
  return [...names];
}
