import { randomBytes, randomUUID } from 'node:crypto';

/** Run ids are 32 lowercase hex characters, as MLflow's. */
export const newRunId = (): string => randomUUID().replaceAll('-', '');

/** Logged model ids, as MLflow 3's: `m-` and 32 hex characters. */
export const newModelId = (): string => `m-${randomUUID().replaceAll('-', '')}`;

const ADJECTIVES = [
  'amber',
  'brave',
  'calm',
  'clever',
  'dapper',
  'eager',
  'gentle',
  'honest',
  'keen',
  'lucky',
  'mellow',
  'nimble',
  'polite',
  'quiet',
  'rare',
  'silent',
  'sunny',
  'swift',
  'tidy',
  'witty',
];
const NOUNS = [
  'badger',
  'crane',
  'finch',
  'fox',
  'gull',
  'hare',
  'heron',
  'lark',
  'lynx',
  'mole',
  'newt',
  'otter',
  'owl',
  'panda',
  'raven',
  'seal',
  'stoat',
  'swan',
  'trout',
  'wren',
];

/** A readable run name like `swift-heron-417`, as MLflow gives unnamed runs. */
export function randomRunName(): string {
  const [a, n, d] = randomBytes(3);
  return `${ADJECTIVES[a! % ADJECTIVES.length]}-${NOUNS[n! % NOUNS.length]}-${(d! * 4) % 1000}`;
}
