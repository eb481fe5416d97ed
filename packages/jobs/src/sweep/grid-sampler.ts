/**
 * Azure ML's `grid` sampling: only `choice` expressions are allowed (nested branches included), and
 * the sampler walks the Cartesian product once, in a fixed order — sorted hyperparameter names, the
 * last name varying fastest, choices in the order written — then reports itself exhausted.
 */
import { invalidArgument } from '@cairn/core';
import type { Sampler } from './sampler.js';
import {
  type ChoiceExpression,
  isNestedSpace,
  isSearchExpression,
  type Literal,
  type NestedSearchSpace,
  type Params,
  type ParamValue,
  type SearchExpression,
  type SearchSpace,
  sortedKeys,
} from './search-space.js';

type Entry = SearchExpression | Literal;

function requireChoices(entry: Entry, field: string): void {
  if (!isSearchExpression(entry)) return;
  if (entry.type !== 'choice') {
    throw invalidArgument(
      `grid sampling supports only choice expressions, but ${field} is ${entry.type}; ` +
        'list its values with {type: choice, values: [...]} or use random or bayesian sampling',
      { field },
    );
  }
  entry.values.forEach((value, i) => {
    if (isNestedSpace(value))
      for (const key of sortedKeys(value)) requireChoices(value[key], `${field}.values[${i}].${key}`);
  });
}

function entryCount(entry: Entry): number {
  if (!isSearchExpression(entry)) return 1;
  return (entry as ChoiceExpression).values.reduce<number>(
    (sum, value) => sum + (isNestedSpace(value) ? objectCount(value) : 1),
    0,
  );
}

function objectCount(obj: NestedSearchSpace | SearchSpace): number {
  return sortedKeys(obj).reduce((product, key) => product * entryCount(obj[key]), 1);
}

/** Mixed-radix decoding: the last key varies fastest. */
function decodeObject(obj: NestedSearchSpace | SearchSpace, index: number): Record<string, ParamValue> {
  const keys = sortedKeys(obj);
  const out: Record<string, ParamValue> = {};
  let rest = index;
  for (let k = keys.length - 1; k >= 0; k--) {
    const entry = obj[keys[k]];
    const count = entryCount(entry);
    out[keys[k]] = decodeEntry(entry, rest % count);
    rest = Math.floor(rest / count);
  }
  const ordered: Record<string, ParamValue> = {};
  for (const key of keys) ordered[key] = out[key];
  return ordered;
}

function decodeEntry(entry: Entry, index: number): ParamValue {
  if (!isSearchExpression(entry)) return entry;
  let rest = index;
  for (const value of (entry as ChoiceExpression).values) {
    const count = isNestedSpace(value) ? objectCount(value) : 1;
    if (rest < count) return isNestedSpace(value) ? decodeObject(value, rest) : value;
    rest -= count;
  }
  throw new Error(`grid index ${index} out of range`);
}

/** How many distinct trials the grid has. */
export function gridSize(space: SearchSpace): number {
  for (const key of sortedKeys(space)) requireChoices(space[key], `search_space.${key}`);
  const size = objectCount(space);
  if (!Number.isSafeInteger(size)) {
    throw invalidArgument(
      `grid sampling over this search space would need ${size} trials; use fewer choices or random sampling`,
      {
        field: 'search_space',
      },
    );
  }
  return size;
}

export function createGridSampler(space: SearchSpace): Sampler {
  const size = gridSize(space);
  return {
    next: (history): Params | null => (history.length < size ? decodeObject(space, history.length) : null),
  };
}
