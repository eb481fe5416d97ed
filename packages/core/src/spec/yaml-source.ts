import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { CairnError, ErrorCode } from '../errors.js';
import { flattenIssues, formatPath, specErrorMap } from './issue-messages.js';

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** One problem in a spec, located in the file the user wrote. */
export interface SpecIssue extends SourcePosition {
  /** Dotted path of the field (`limits.timeout`, `inputs.C.path`); empty for a YAML syntax error. */
  field: string;
  message: string;
}

/** Something that can point at a field: a parsed YAML file, or the `--set` arguments of the CLI. */
export interface SpecLocator {
  readonly file: string;
  locate(path: readonly PropertyKey[], options?: { atKey?: boolean }): SourcePosition;
  /** Where an issue is, as the message's prefix; `file:line:column` when left out. */
  label?(position: SourcePosition): string;
}

/**
 * A YAML file parsed with its node positions kept, so that any path into its value maps back to a
 * line and column.
 */
export class YamlSource implements SpecLocator {
  readonly value: unknown;

  private constructor(
    readonly file: string,
    readonly text: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {
    this.value = doc.toJS({ maxAliasCount: 100 });
  }

  /** Parses `text`; a syntax error throws INVALID_ARGUMENT at the first error's position. */
  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first !== undefined) {
      // Later errors are mostly the parser losing its footing after the first one.
      const more = doc.errors.length - 1;
      const suffix = more > 0 ? ` (and ${more} more YAML error${more === 1 ? '' : 's'} after it)` : '';
      throw specError(file, [
        { field: '', message: `YAML syntax error: ${first.message}${suffix}`, ...pos(lines, first.pos[0]) },
      ]);
    }
    return new YamlSource(file, text, doc, lines);
  }

  /**
   * The position of the node at `path`, or of the deepest ancestor that exists (a missing required
   * field points at the mapping that lacks it). `atKey` points at a key rather than its value.
   */
  locate(path: readonly PropertyKey[], options: { atKey?: boolean } = {}): SourcePosition {
    return this.position(this.nodeAt(path, options.atKey ?? false));
  }

  /**
   * The position of the `occurrence`-th appearance of `needle` in the source of the node at `path`:
   * used to point at a placeholder inside a multi-line command. Falls back to the node itself.
   */
  locateText(path: readonly PropertyKey[], needle: string, occurrence = 0): SourcePosition {
    const node = this.nodeAt(path, false);
    const range = node?.range;
    if (range !== undefined && range !== null) {
      const slice = this.text.slice(range[0], range[1]);
      let at = -1;
      for (let i = 0; i <= occurrence; i++) {
        at = slice.indexOf(needle, at + 1);
        if (at < 0) break;
      }
      if (at >= 0) return pos(this.lines, range[0] + at);
    }
    return this.position(node);
  }

  private nodeAt(path: readonly PropertyKey[], atKey: boolean): Node | undefined {
    let node: unknown = this.doc.contents;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment),
        );
        if (pair === undefined) return node;
        const key = isScalar(pair.key) ? pair.key : undefined;
        if (last && atKey) return key ?? node;
        if (
          pair.value === null ||
          pair.value === undefined ||
          (isScalar(pair.value) && pair.value.value === null)
        ) {
          return key ?? node;
        }
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined || item === null) return node;
        node = item;
      } else {
        break;
      }
    }
    return (node as Node | null) ?? undefined;
  }

  private position(node: Node | undefined): SourcePosition {
    const offset = node?.range?.[0];
    return offset === undefined ? { line: 1, column: 1 } : pos(this.lines, offset);
  }
}

const pos = (lines: LineCounter, offset: number): SourcePosition => {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
};

/**
 * One INVALID_ARGUMENT for every issue, sorted by position, one per line of the message:
 * `job.yml:12:3: limits.timeout: expected ...`. `details` carries the first issue's field and
 * position, and all of them in `issues`.
 */
export function specError(
  file: string,
  issues: SpecIssue[],
  label: (position: SourcePosition) => string = (p) => `${file}:${p.line}:${p.column}`,
): CairnError {
  const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
  const lines = sorted.map((i) => `${label(i)}: ${i.field === '' ? '' : `${i.field}: `}${i.message}`);
  const first = sorted[0]!;
  return new CairnError(ErrorCode.INVALID_ARGUMENT, lines.join('\n'), {
    ...(first.field === '' ? {} : { field: first.field }),
    file,
    line: first.line,
    column: first.column,
    issues: sorted,
  });
}

/** Validates `value` with `schema`; every issue is located through `locator` and thrown together. */
export function validateWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  locator: SpecLocator,
): z.output<S> {
  const result = schema.safeParse(value, { error: specErrorMap, reportInput: true });
  if (result.success) return result.data;
  const issues = flattenIssues(result.error.issues).map((issue) => ({
    field: formatPath(issue.path),
    message: issue.message,
    ...locator.locate(issue.path, { atKey: issue.atKey }),
  }));
  throw specError(locator.file, issues, locator.label?.bind(locator));
}
