// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{inputs.x}} is Azure ML's placeholder syntax, not a template literal
import { describe, expect, it } from 'vitest';
import {
  checkPlaceholders,
  findPlaceholders,
  resolveCommand,
  substitutePlaceholders,
} from './placeholders.js';
import { quoteForShell } from './shell-quote.js';

describe('finding placeholders', () => {
  it('finds placeholders, marks those in optional segments, and ignores parent bindings', () => {
    expect(
      findPlaceholders(
        'run ${{inputs.a}} $[[--b ${{ inputs.b }}]] ${{outputs.o}} ${{parent.inputs.x}} ${{search_space.lr}}',
      ),
    ).toEqual([
      { text: '${{inputs.a}}', namespace: 'inputs', name: 'a', optional: false },
      { text: '${{ inputs.b }}', namespace: 'inputs', name: 'b', optional: true },
      { text: '${{outputs.o}}', namespace: 'outputs', name: 'o', optional: false },
      { text: '${{search_space.lr}}', namespace: 'search_space', name: 'lr', optional: false },
    ]);
  });

  it('leaves bash [[ ]] alone', () => {
    expect(
      checkPlaceholders('if [[ -f x ]]; then echo ${{inputs.a}}; fi', { inputs: ['a'], outputs: [] }),
    ).toEqual([]);
  });

  it('counts which appearance of a repeated placeholder is wrong', () => {
    expect(checkPlaceholders('echo ${{inputs.x}} ${{inputs.x}}', { inputs: [], outputs: [] })).toEqual([
      {
        message: '${{inputs.x}} names no declared input (no inputs are declared)',
        needle: '${{inputs.x}}',
        occurrence: 0,
      },
      {
        message: '${{inputs.x}} names no declared input (no inputs are declared)',
        needle: '${{inputs.x}}',
        occurrence: 1,
      },
    ]);
  });

  it('reports unclosed and nested syntax', () => {
    expect(checkPlaceholders('echo ${{inputs.x', { inputs: ['x'], outputs: [] })[0]?.message).toBe(
      '"${{" is never closed: end the placeholder with "}}"',
    );
    expect(checkPlaceholders('$[[ a $[[ b ]] ]]', { inputs: [], outputs: [] })[0]?.message).toBe(
      'optional segments "$[[ ... ]]" cannot be nested',
    );
  });

  it('suggests the closest declared name', () => {
    expect(
      checkPlaceholders('${{inputs.learnig_rate}}', { inputs: ['learning_rate'], outputs: [] })[0]?.message,
    ).toBe(
      '${{inputs.learnig_rate}} names no declared input (declared: learning_rate) (did you mean "learning_rate"?)',
    );
  });
});

describe('substitution', () => {
  it('keeps an optional segment without brackets when its input has a value, drops it otherwise', () => {
    const command = 'python t.py $[[--lr ${{inputs.lr}}]] --out ${{outputs.model}}';
    expect(substitutePlaceholders(command, { inputs: { lr: 0.1 }, outputs: { model: '/out' } })).toBe(
      'python t.py --lr 0.1 --out /out',
    );
    expect(substitutePlaceholders(command, { outputs: { model: '/out' } })).toBe('python t.py  --out /out');
    expect(substitutePlaceholders(command, { inputs: { lr: null }, outputs: { model: '/out' } })).toBe(
      'python t.py  --out /out',
    );
  });

  it('leaves ${{parent...}} untouched', () => {
    expect(substitutePlaceholders('echo ${{parent.inputs.x}}', {})).toBe('echo ${{parent.inputs.x}}');
  });

  it('throws for a placeholder with no value, naming it', () => {
    expect(() => substitutePlaceholders('echo ${{inputs.x}}', {})).toThrow(
      '${{inputs.x}} has no value: give inputs.x a value (--set inputs.x=...) or wrap the argument in $[[ ... ]] to leave it out',
    );
    expect(() => substitutePlaceholders('echo ${{outputs.o}}', {})).toThrow(/outputs\.o/);
  });

  it('quotes values for the shell context they land in', () => {
    const values = { inputs: { v: "it's $HOME; rm -rf /" } };
    expect(substitutePlaceholders('echo ${{inputs.v}}', values)).toBe(`echo 'it'\\''s $HOME; rm -rf /'`);
    expect(substitutePlaceholders('echo "x=${{inputs.v}}"', values)).toBe('echo "x=it\'s \\$HOME; rm -rf /"');
    expect(substitutePlaceholders("echo 'x=${{inputs.v}}'", values)).toBe(
      `echo 'x=it'\\''s $HOME; rm -rf /'`,
    );
    expect(substitutePlaceholders('echo \\"${{inputs.v}}', { inputs: { v: 'a b' } })).toBe(`echo \\"'a b'`);
  });

  it('takes literal inputs from the spec and data paths from the caller', () => {
    const spec = {
      type: 'command' as const,
      command: 'python t.py --data ${{inputs.data}} --C ${{inputs.C}} --n ${{inputs.n}}',
      inputs: {
        data: { type: 'uri_folder' as const, path: 'wasbs://x/y' },
        C: 0.8,
        n: { type: 'integer' as const, default: 3 },
      },
    };
    expect(() => resolveCommand(spec)).toThrow(/\$\{\{inputs\.data\}\} has no value/);
    expect(resolveCommand(spec, { inputs: { data: '/mnt/data', C: 1 } })).toBe(
      'python t.py --data /mnt/data --C 1 --n 3',
    );
  });
});

describe('quoteForShell', () => {
  it.each([
    ['plain-value_1.0', 'plain-value_1.0'],
    ['/a/b:c=d,e+f@g%h', '/a/b:c=d,e+f@g%h'],
    ['', "''"],
    ['a b', "'a b'"],
    ['$(whoami)', "'$(whoami)'"],
    ['*', "'*'"],
    ["O'Brien", `'O'\\''Brien'`],
  ])('%j → %s', (value, quoted) => {
    expect(quoteForShell(value)).toBe(quoted);
  });
});
