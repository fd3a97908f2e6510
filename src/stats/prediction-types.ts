/**
 * The saved shapes of fitted laws and predicted intervals, as zod schemas (the one definition of
 * their types). The prediction kit (./prediction-kit.ts) evaluates them; prediction files and the
 * HTML report embed them.
 */
import { z } from 'zod';

export const lawKindSchema = z.enum(['power', 'usl', 'amdahl', 'growth', 'affine']);
export type LawKind = z.infer<typeof lawKindSchema>;

/**
 * How the residual variance of a law was estimated (all on the log scale):
 * - 'pooled': the law fits as well as the repetitions allow (no significant lack of fit), so one
 *   estimate s² of a measurement's variance, from the residuals and the repetitions together;
 * - 'lack-of-fit': the centres stray from the law more than repetition noise explains, so
 *   `centre` estimates the variance of a point's centre about the law (model error included,
 *   with few degrees of freedom) and `noise` the repetition variance.
 */
export const lawVarianceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pooled'), s2: z.number(), df: z.number() }),
  z.object({ kind: z.literal('lack-of-fit'), centre: z.number(), centreDf: z.number(), noise: z.number(), noiseDf: z.number() }),
]);
export type LawVariance = z.infer<typeof lawVarianceSchema>;

export const fittedLawSchema = z.object({
  kind: lawKindSchema,
  /** Parameters on the log scale: power [ln a, b]; usl [ln λ, σ, κ]; amdahl [ln X(1), p]; growth [ln m(1), g]; affine [ln b, ln c] of b·(x + c). */
  theta: z.array(z.number()),
  /** (J'J)⁻¹ of the linearised law at the fitted points (p × p). */
  inverse: z.array(z.array(z.number())),
  /** Variance of a point's centre (median of its repetitions) in units of one measurement's variance. */
  centreFactor: z.number(),
  /** null: no degrees of freedom left for any interval. */
  variance: lawVarianceSchema.nullable(),
  /** Bounded laws (USL, Amdahl): θ refitted to data simulated from the law, for the spread of a prediction. */
  replicates: z.array(z.array(z.number())).optional(),
});
export type FittedLaw = z.infer<typeof fittedLawSchema>;

/** Upper (1+level)/2 quantiles of Student's t at u = 1/df = i/(values.length − 1), i = 0 … (u = 0: the normal). */
export const tQuantileTableSchema = z.object({ level: z.number(), values: z.array(z.number()) });
export type TQuantileTable = z.infer<typeof tQuantileTableSchema>;

/** A predicted quantity on its natural scale, with its prediction interval; null bounds: no interval could be computed. */
export const intervalSchema = z.object({ estimate: z.number(), low: z.number().nullable(), high: z.number().nullable() });
export type Interval = z.infer<typeof intervalSchema>;
