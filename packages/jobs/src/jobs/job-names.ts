import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'amber',
  'brave',
  'calm',
  'clever',
  'dusty',
  'eager',
  'fancy',
  'gentle',
  'happy',
  'icy',
  'jolly',
  'keen',
  'lucid',
  'merry',
  'neat',
  'olive',
  'plucky',
  'quiet',
  'rapid',
  'shy',
  'tidy',
  'upbeat',
  'vivid',
  'witty',
  'young',
  'zesty',
  'bold',
  'crisp',
  'loyal',
  'sunny',
];
const ANIMALS = [
  'badger',
  'crane',
  'dingo',
  'eagle',
  'ferret',
  'gecko',
  'heron',
  'ibis',
  'jackal',
  'koala',
  'lemur',
  'marten',
  'newt',
  'otter',
  'panda',
  'quail',
  'raven',
  'stoat',
  'tapir',
  'urchin',
  'vole',
  'walrus',
  'yak',
  'zebra',
  'bison',
  'cobra',
  'finch',
  'lynx',
  'moose',
  'puffin',
];
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;

/** A readable job name such as `quiet_heron_4x7k` (about 900 × 10⁶ combinations). */
export function randomJobName(): string {
  let suffix = '';
  for (let i = 0; i < 4; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `${pick(ADJECTIVES)}_${pick(ANIMALS)}_${suffix}`;
}
