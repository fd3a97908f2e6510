/** The contract of a data generator: each lives in one file here and is registered in ./index.ts. */
import type { DatasetSpec, IdealQuality } from '../../results/schema.js';
import type { Random } from '../random.js';
import type { DataTable } from '../table.js';

export interface Generator {
  /** One line for `--help` and reports. */
  description: string;
  /** The dataset this generator makes when the user names only the generator. */
  defaultSpec: DatasetSpec;
  /** Generator-specific checks of a spec; throws naming `where` (the dataset) and the fix. */
  check?(spec: DatasetSpec, where: string): void;
  /** n rows of `spec` with the generator's default options, drawn from `rng`. */
  make(spec: DatasetSpec, n: number, rng: Random): DataTable;
  /**
   * The best held-out quality any model can reach on data `make` draws from an rng in the same state:
   * the problem (coefficients, centres) is drawn exactly as `make` draws it, then the quality follows
   * from the generating model, in closed form or by simulation (which continues on `rng`).
   */
  idealQuality(spec: DatasetSpec, rng: Random): IdealQuality;
}
