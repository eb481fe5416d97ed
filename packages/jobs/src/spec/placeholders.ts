import { didYouMean, invalidArgument } from '@cairn/core';
import { declaredInputValue, type JobInput, LITERAL_INPUT_TYPES, type LiteralValue } from './job-io.js';
import { QuoteTracker, quoteForShell } from './shell-quote.js';

export type PlaceholderNamespace = 'inputs' | 'outputs' | 'search_space';

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'placeholder'; text: string; namespace: PlaceholderNamespace; name: string }
  /** `${{parent.…}}` (pipelines) and anything unrecognised: kept as written. */
  | { kind: 'verbatim'; text: string }
  /** `$[[ … ]]`: dropped when an input it names has no value. */
  | { kind: 'optional'; text: string; parts: TemplatePart[] };

/** A problem in a command's placeholders; `needle` is the text to point at in the YAML. */
export interface TemplateProblem {
  message: string;
  needle: string;
  /** Which appearance of `needle` in the command (0-based). */
  occurrence: number;
}

export interface CommandTemplate {
  parts: TemplatePart[];
  problems: TemplateProblem[];
}

const NAMESPACES: PlaceholderNamespace[] = ['inputs', 'outputs', 'search_space'];
const PLACEHOLDER = /^(inputs|outputs|search_space)\.([A-Za-z_][A-Za-z0-9_]*)$/;

const occurrenceOf = (command: string, needle: string, at: number): number => {
  let count = 0;
  for (let i = command.indexOf(needle); i >= 0 && i < at; i = command.indexOf(needle, i + 1)) count++;
  return count;
};

/** Splits a command into text, placeholders and optional segments, noting malformed ones. */
export function parseCommandTemplate(command: string): CommandTemplate {
  const problems: TemplateProblem[] = [];
  const problem = (message: string, needle: string, at: number) =>
    problems.push({ message, needle, occurrence: occurrenceOf(command, needle, at) });
  const top: TemplatePart[] = [];
  let segment: { parts: TemplatePart[]; start: number } | undefined;
  let text = '';
  const flush = () => {
    if (text !== '') (segment?.parts ?? top).push({ kind: 'text', text });
    text = '';
  };

  let i = 0;
  while (i < command.length) {
    if (command.startsWith('${{', i)) {
      const end = command.indexOf('}}', i + 3);
      if (end < 0) {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Azure ML's placeholder syntax
        problem('"${{" is never closed: end the placeholder with "}}"', '${{', i);
        text += command.slice(i);
        break;
      }
      const raw = command.slice(i, end + 2);
      const body = command.slice(i + 3, end).trim();
      flush();
      const match = PLACEHOLDER.exec(body);
      const parts = segment?.parts ?? top;
      if (match !== null) {
        parts.push({
          kind: 'placeholder',
          text: raw,
          namespace: match[1] as PlaceholderNamespace,
          name: match[2]!,
        });
      } else {
        if (!/^parent(\.|$)/.test(body)) {
          const head = body.split('.')[0] ?? '';
          problem(
            `${raw} is not a placeholder: write \${{inputs.<name>}}, \${{outputs.<name>}} or \${{search_space.<name>}}${didYouMean(head, NAMESPACES)}`,
            raw,
            i,
          );
        }
        parts.push({ kind: 'verbatim', text: raw });
      }
      i = end + 2;
    } else if (command.startsWith('$[[', i)) {
      if (segment !== undefined) {
        problem('optional segments "$[[ ... ]]" cannot be nested', '$[[', i);
        text += '$[[';
      } else {
        flush();
        segment = { parts: [], start: i };
      }
      i += 3;
    } else if (segment !== undefined && command.startsWith(']]', i)) {
      flush();
      top.push({ kind: 'optional', text: command.slice(segment.start, i + 2), parts: segment.parts });
      segment = undefined;
      i += 2;
    } else {
      text += command[i];
      i++;
    }
  }
  if (segment !== undefined) {
    problem('"$[[" is never closed: end the optional segment with "]]"', '$[[', segment.start);
    flush();
    top.push({ kind: 'text', text: '$[[' }, ...segment.parts);
  } else {
    flush();
  }
  return { parts: top, problems };
}

/** Every placeholder in a command, with whether it sits in an optional segment. */
export function findPlaceholders(
  command: string,
): { text: string; namespace: PlaceholderNamespace; name: string; optional: boolean }[] {
  const found: { text: string; namespace: PlaceholderNamespace; name: string; optional: boolean }[] = [];
  const walk = (parts: TemplatePart[], optional: boolean) => {
    for (const part of parts) {
      if (part.kind === 'placeholder') {
        found.push({ text: part.text, namespace: part.namespace, name: part.name, optional });
      } else if (part.kind === 'optional') walk(part.parts, true);
    }
  };
  walk(parseCommandTemplate(command).parts, false);
  return found;
}

/** The names a command may refer to. `searchSpace` is undefined for a command job. */
export interface PlaceholderScope {
  inputs: readonly string[];
  outputs: readonly string[];
  searchSpace?: readonly string[];
}

/** Malformed placeholders, and placeholders naming no declared input, output or hyperparameter. */
export function checkPlaceholders(command: string, scope: PlaceholderScope): TemplateProblem[] {
  const { problems } = parseCommandTemplate(command);
  const seen = new Map<string, number>();
  for (const p of findPlaceholders(command)) {
    const occurrence = seen.get(p.text) ?? 0;
    seen.set(p.text, occurrence + 1);
    const declared =
      p.namespace === 'inputs' ? scope.inputs : p.namespace === 'outputs' ? scope.outputs : scope.searchSpace;
    if (declared === undefined) {
      problems.push({
        message: `${p.text}: only a sweep job's trial has a search_space; declare an input instead`,
        needle: p.text,
        occurrence,
      });
    } else if (!declared.includes(p.name)) {
      const what =
        p.namespace === 'search_space' ? 'hyperparameter in search_space' : p.namespace.slice(0, -1);
      const list =
        declared.length === 0 ? `no ${p.namespace} are declared` : `declared: ${declared.join(', ')}`;
      problems.push({
        message: `${p.text} names no declared ${what} (${list})${didYouMean(p.name, declared)}`,
        needle: p.text,
        occurrence,
      });
    }
  }
  return problems;
}

export type PlaceholderValue = LiteralValue | null | undefined;

export interface PlaceholderValues {
  inputs?: Record<string, PlaceholderValue>;
  outputs?: Record<string, PlaceholderValue>;
  searchSpace?: Record<string, PlaceholderValue>;
}

const present = (value: PlaceholderValue): value is LiteralValue => value !== undefined && value !== null;

/**
 * Substitutes placeholders, quoting each value for the shell where it lands. An optional segment is
 * kept (without its brackets) when every input it names has a value, and dropped otherwise.
 * `${{parent.…}}` stays as written. A placeholder with no value outside an optional segment throws.
 */
export function substitutePlaceholders(command: string, values: PlaceholderValues): string {
  const template = parseCommandTemplate(command);
  if (template.problems.length > 0)
    throw invalidArgument(`command: ${template.problems[0]!.message}`, { field: 'command' });
  const lookup = (ns: PlaceholderNamespace, name: string): PlaceholderValue =>
    (ns === 'inputs' ? values.inputs : ns === 'outputs' ? values.outputs : values.searchSpace)?.[name];
  const quotes = new QuoteTracker();
  let out = '';
  const emit = (parts: TemplatePart[]) => {
    for (const part of parts) {
      if (part.kind === 'placeholder') {
        const value = lookup(part.namespace, part.name);
        if (!present(value)) {
          const field = `${part.namespace}.${part.name}`;
          throw invalidArgument(
            `${part.text} has no value: give ${field} a value (--set ${field}=...) or wrap the argument in $[[ ... ]] to leave it out`,
            { field },
          );
        }
        out += quoteForShell(String(value), quotes.context);
      } else if (part.kind === 'optional') {
        const provided = part.parts.every(
          (p) => p.kind !== 'placeholder' || p.namespace !== 'inputs' || present(lookup('inputs', p.name)),
        );
        if (provided) emit(part.parts);
      } else {
        out += part.text;
        quotes.feed(part.text);
      }
    }
  };
  emit(template.parts);
  return out;
}

/** The input values a job has before the run supplies any: literals and literal defaults. */
export function literalInputValues(
  inputs: Record<string, JobInput> | undefined,
): Record<string, LiteralValue> {
  const values: Record<string, LiteralValue> = {};
  for (const [name, input] of Object.entries(inputs ?? {})) {
    const literal =
      typeof input !== 'object' || (LITERAL_INPUT_TYPES as readonly string[]).includes(input.type ?? '');
    const value = literal ? declaredInputValue(input) : undefined;
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/** What `resolveCommand` needs of a job spec (a command job, or a sweep whose trial has the command). */
export type CommandSource =
  | { type: 'command'; command: string; inputs?: Record<string, JobInput> }
  | { type: 'sweep'; trial: { command: string }; inputs?: Record<string, JobInput> };

/**
 * The shell command a job or trial runs. `values.inputs` are the inputs' runtime values (local paths
 * for file and folder inputs); literal inputs not given there take their value from the spec.
 */
export function resolveCommand(spec: CommandSource, values: PlaceholderValues = {}): string {
  const command = spec.type === 'sweep' ? spec.trial.command : spec.command;
  return substitutePlaceholders(command, {
    ...values,
    inputs: { ...literalInputValues(spec.inputs), ...values.inputs },
  });
}
