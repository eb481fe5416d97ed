import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { parseMLTable } from '../mltable/parse-mltable.js';
import { previewTable } from '../tabular/preview-table.js';
import { profileTable } from '../tabular/profile-table.js';
import { tableSourceFromPath } from '../tabular/table-source.js';
import { SAMPLE_DATASETS, sampleDataset } from './sample-datasets.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('SAMPLE_DATASETS', () => {
  it('has unique names, a licence and a source for each, and files where it says', async () => {
    expect(new Set(SAMPLE_DATASETS.map((d) => d.name)).size).toBe(SAMPLE_DATASETS.length);
    for (const d of SAMPLE_DATASETS) {
      expect(d.licence).not.toBe('');
      expect(d.source).not.toBe('');
      const info = await stat(d.path);
      expect(info.isDirectory()).toBe(d.type !== 'uri_file');
      if (d.type === 'mltable') parseMLTable(await readFile(join(d.path, 'MLTable'), 'utf8'));
    }
    expect(SAMPLE_DATASETS.some((d) => d.type === 'mltable')).toBe(true);
  });

  it.each([
    ['iris', 150, 5, 'species'],
    ['wine', 178, 14, 'cultivar'],
    ['diabetes', 442, 11, 'progression'],
    ['breast-cancer', 569, 31, 'diagnosis'],
  ])('%s reads as a table of %i rows and %i columns', async (name, rows, columns, target) => {
    const source = await tableSourceFromPath(sampleDataset(name).path);
    const preview = await previewTable({ source, limit: 1000 });
    expect(preview.rows).toHaveLength(rows);
    expect(preview.columns).toHaveLength(columns);
    expect(preview.columns.at(-1)!.name).toBe(target);
    expect(preview.columns.slice(0, -1).every((c) => c.kind === 'numeric')).toBe(true);
  });

  it('iris is an MLTable with three balanced species', async () => {
    const iris = sampleDataset('iris');
    const source = await tableSourceFromPath(iris.path);
    expect(source.kind).toBe('mltable');
    const species = (await profileTable({ source })).columns.find((c) => c.name === 'species')!;
    expect(species.histogram).toEqual({
      kind: 'top-values',
      values: ['setosa', 'versicolor', 'virginica'].map((value) => ({ value, count: 50 })),
      otherCount: 0,
    });
  });

  it('digits is 200 PNG files in ten folders named by label, and not tabular', async () => {
    const digits = sampleDataset('digits');
    const labels = (await readdir(digits.path)).sort();
    expect(labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    let count = 0;
    for (const label of labels) {
      const files = await readdir(join(digits.path, label));
      expect(files).toHaveLength(20);
      for (const file of files) {
        const bytes = await readFile(join(digits.path, label, file));
        expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
        expect(bytes.readUInt32BE(16)).toBe(8); // IHDR width
        expect(bytes.readUInt32BE(20)).toBe(8); // IHDR height
        count++;
      }
    }
    expect(count).toBe(200);
    await expect(previewTable({ source: await tableSourceFromPath(digits.path) })).rejects.toThrow(
      'none of the 200 files is tabular',
    );
  });

  it('names the catalogue when a sample does not exist', () => {
    expect(() => sampleDataset('titanic')).toThrow(
      expect.objectContaining({
        code: ErrorCode.NOT_FOUND,
        message:
          'there is no sample dataset "titanic"; the samples are iris, wine, diabetes, breast-cancer, digits',
      }),
    );
  });
});
