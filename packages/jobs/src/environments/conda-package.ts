/**
 * A conda dependency (`numpy=1.26`, `conda-forge::scikit-learn>=1.5`, `cudatoolkit=11.8=h1234_0`) read
 * for a virtualenv: Cairn has no conda on the node, so Python packages are installed with pip under
 * their PyPI names, and packages pip cannot install (CUDA, MKL, compilers, C libraries) are left out
 * with a warning.
 */

export type CondaDependency =
  | { kind: 'python'; version: string | null; spec: string }
  | { kind: 'pip-itself' }
  | { kind: 'pip'; requirement: string; spec: string }
  | { kind: 'conda-only'; spec: string }
  | { kind: 'untranslatable'; spec: string; reason: string };

/** conda names whose PyPI name differs. */
const PYPI_NAMES: Record<string, string> = {
  pytorch: 'torch',
  'pytorch-cpu': 'torch',
  'py-xgboost': 'xgboost',
  'py-xgboost-cpu': 'xgboost',
  'matplotlib-base': 'matplotlib',
  'py-opencv': 'opencv-python',
  'tensorflow-base': 'tensorflow',
  'pyyaml-base': 'pyyaml',
};

/** Native libraries and tools that exist on conda channels but not as pip packages. */
const CONDA_ONLY = [
  /^cuda/,
  /^cudnn/,
  /^nccl/,
  /^cutensor/,
  /^magma/,
  /^mkl/,
  /^intel-openmp$/,
  /^(lib)?(c)?blas$/,
  /^liblapack/,
  /^openblas$/,
  /^libgcc/,
  /^libstdcxx/,
  /^libgomp$/,
  /^libgfortran/,
  /^_/,
  /^(gcc|gxx|gfortran|cxx-compiler|c-compiler|fortran-compiler|compilers)(_|$)/,
  /^(openmpi|mpich|ucx)$/,
  /^(openssl|ca-certificates|zlib|libzlib|xz|bzip2|libffi|ncurses|readline|sqlite|tk|ld_impl_linux-64)$/,
  /^lib(uuid|nsl|xcrypt|edit|sqlite|ssl)/,
  /^r-/,
  /^(git|make|nodejs|ffmpeg|graphviz)$/,
];

const NAME = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*(.*)$/;

export function readCondaDependency(spec: string): CondaDependency {
  const text = spec.trim().replace(/^[^:\s]+::/, '');
  const match = NAME.exec(text);
  if (match === null) return { kind: 'untranslatable', spec, reason: 'not a conda package spec' };
  const name = match[1]!.toLowerCase();
  const constraint = translateVersion(match[2]!.trim());
  if (name === 'python') return { kind: 'python', version: pythonVersionOf(match[2]!.trim()), spec };
  if (name === 'pip') return { kind: 'pip-itself' };
  if (CONDA_ONLY.some((pattern) => pattern.test(name))) return { kind: 'conda-only', spec };
  if (constraint.type === 'error') return { kind: 'untranslatable', spec, reason: constraint.reason };
  return { kind: 'pip', requirement: `${PYPI_NAMES[name] ?? name}${constraint.value}`, spec };
}

type Translated = { type: 'ok'; value: string } | { type: 'error'; reason: string };

/**
 * conda's version part as pip specifiers: `=1.5` means 1.5.* (`==1.5.*`), `==1.5.2` is exact, a build
 * string after a second `=` is dropped, `>=1,<2` carries over, `1.5.*` alone is `==1.5.*`.
 */
function translateVersion(version: string): Translated {
  if (version === '') return { type: 'ok', value: '' };
  if (version.includes('|')) return { type: 'error', reason: 'alternatives (`|`) have no pip equivalent' };
  if (version.startsWith('==')) return { type: 'ok', value: `==${version.slice(2).split('=')[0]!.trim()}` };
  if (version.startsWith('=')) {
    const release = version.slice(1).split('=')[0]!.trim();
    return { type: 'ok', value: release.endsWith('*') ? `==${release}` : `==${release}.*` };
  }
  if (/^[<>!~]/.test(version)) return { type: 'ok', value: version.replace(/\s+/g, '') };
  const release = version.split(/\s+/)[0]!;
  if (/^\d[\w.]*\*?$/.test(release)) {
    return { type: 'ok', value: release.endsWith('*') ? `==${release}` : `==${release}.*` };
  }
  return { type: 'error', reason: `cannot read the version "${version}"` };
}

/** `python=3.11`, `python==3.11.5`, `python 3.10.*` → the version; a range (`>=3.9`) → null. */
function pythonVersionOf(version: string): string | null {
  const match = /^(?:={1,2}\s*)?(\d+(?:\.\d+)*)/.exec(version);
  return match === null ? null : match[1]!;
}
