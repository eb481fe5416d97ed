import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { notFound } from '@cairn/core';

export type SampleDatasetType = 'uri_file' | 'uri_folder' | 'mltable';

/** A dataset shipped in the repository, ready to register as a data asset. */
export interface SampleDataset {
  /** The name it registers under and `cairn data samples register <name>` takes. */
  name: string;
  description: string;
  type: SampleDatasetType;
  /** SPDX-style licence of the files as shipped. */
  licence: string;
  /** Where the data comes from, to cite. */
  source: string;
  /** Absolute path: the file (`uri_file`), or the folder (`uri_folder`, `mltable`, holding an `MLTable`). */
  path: string;
  tags: Record<string, string>;
}

// Beside this module, so the bundle (scripts/build.mjs copies the folder to dist/files/) finds it too.
const ROOT = new URL('./files/', import.meta.url);
const at = (relative: string): string => resolve(fileURLToPath(new URL(relative, ROOT)));

const SKLEARN =
  'BSD-3-Clause (as bundled with scikit-learn 1.9.1; see packages/data/src/samples/files/LICENSE-scikit-learn.txt)';
const UCI = 'UCI Machine Learning Repository (CC BY 4.0), via scikit-learn';

/** The built-in catalogue (Cairn's stand-in for Azure Open Datasets). Small enough to ship: ~300 KB in all. */
export const SAMPLE_DATASETS: readonly SampleDataset[] = [
  {
    name: 'iris',
    description:
      "Fisher's iris flowers: 150 rows, 4 measurements in cm and the species (3 classes). An MLTable over one CSV.",
    type: 'mltable',
    licence: SKLEARN,
    source: `R.A. Fisher (1936); ${UCI}`,
    path: at('iris/'),
    tags: { task: 'classification', format: 'csv' },
  },
  {
    name: 'wine',
    description: 'Chemical analysis of 178 Italian wines: 13 numeric features and the cultivar (0, 1, 2).',
    type: 'uri_file',
    licence: SKLEARN,
    source: `Forina et al., PARVUS; ${UCI}`,
    path: at('wine/wine.csv'),
    tags: { task: 'classification', format: 'csv' },
  },
  {
    name: 'diabetes',
    description:
      'Diabetes progression one year after baseline for 442 patients: 10 unscaled baseline variables and the target.',
    type: 'uri_file',
    licence: `${SKLEARN}; the original publication states no licence`,
    source: 'Efron, Hastie, Johnstone, Tibshirani, "Least Angle Regression" (2004), via scikit-learn',
    path: at('diabetes/diabetes.csv'),
    tags: { task: 'regression', format: 'csv' },
  },
  {
    name: 'breast-cancer',
    description:
      'Breast cancer Wisconsin (diagnostic): 569 tumours, 30 features from cell-nucleus images, malignant or benign.',
    type: 'uri_file',
    licence: SKLEARN,
    source: `Wolberg, Street, Mangasarian (1995); ${UCI}`,
    path: at('breast-cancer/breast_cancer.csv'),
    tags: { task: 'classification', format: 'csv' },
  },
  {
    name: 'digits',
    description:
      'Handwritten digits: 200 greyscale 8×8 PNG images, 20 per digit, in folders named by label (0–9).',
    type: 'uri_folder',
    licence: SKLEARN,
    source: `Alpaydin & Kaynak, optical recognition of handwritten digits; ${UCI}`,
    path: at('digits/'),
    tags: { task: 'image-classification', format: 'png' },
  },
];

/** The sample named `name`; NOT_FOUND listing the catalogue otherwise. */
export function sampleDataset(name: string): SampleDataset {
  const found = SAMPLE_DATASETS.find((d) => d.name === name);
  if (found === undefined) {
    throw notFound(
      `there is no sample dataset "${name}"; the samples are ${SAMPLE_DATASETS.map((d) => d.name).join(', ')}`,
      {
        field: 'name',
      },
    );
  }
  return found;
}
