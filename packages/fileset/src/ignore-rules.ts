import ignore, { type Ignore } from 'ignore';

/** Ignore files read in every folder, in this order; a later file's rules (and negations) win. */
export const IGNORE_FILES = ['.gitignore', '.amlignore', '.cairnignore'] as const;

/** Never part of a file set, whatever the ignore files say. */
export const ALWAYS_SKIPPED = new Set(['.git']);

interface Level {
  /** The folder holding the rules, relative to the root ('' for the root itself). */
  dir: string;
  rules: Ignore;
}

/**
 * The ignore rules in force in one folder of the walk: the rules of that folder and of each folder above
 * it, as git resolves them. Each file's patterns are relative to the folder that holds it, a deeper
 * folder's rules take precedence over a shallower one's, and the last matching pattern within a folder
 * wins (so `!keep.txt` re-includes). A path under an ignored folder is never reached, so, as in git, a
 * negation cannot re-include a file whose parent folder is excluded.
 */
export class IgnoreRules {
  readonly #levels: readonly Level[];

  private constructor(levels: readonly Level[]) {
    this.#levels = levels;
  }

  static empty(): IgnoreRules {
    return new IgnoreRules([]);
  }

  /**
   * The rules for folder `dir` (relative to the root), given the contents of its ignore files (those it
   * has, in `IGNORE_FILES` order). Without any, the parent's rules are reused as they are.
   */
  enter(dir: string, ignoreFileContents: readonly string[]): IgnoreRules {
    if (ignoreFileContents.length === 0) return this;
    const rules = ignore();
    for (const content of ignoreFileContents) rules.add(content);
    return new IgnoreRules([...this.#levels, { dir, rules }]);
  }

  /** Whether `path` (relative to the root, posix) is ignored; `isDir` makes `dir/` patterns apply. */
  ignores(path: string, isDir: boolean): boolean {
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (ALWAYS_SKIPPED.has(name)) return true;
    let ignored = false;
    for (const { dir, rules } of this.#levels) {
      const relative = dir === '' ? path : path.slice(dir.length + 1);
      const result = rules.test(isDir ? `${relative}/` : relative);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }
}
