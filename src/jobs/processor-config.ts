/**
 * The thresholds of the transaction features and the window size a window's features are
 * computed for, when the caller has events but no window bounds. One resolver fills the
 * defaults, validates and freezes.
 */
import { FeatureflowError } from '../core/errors.ts';

export interface ProcessorConfig {
  /** The window's size in minutes: velocity_score is per minute of window. */
  readonly windowSizeMinutes: number;
  /** Transactions per minute that make velocity_score 1. */
  readonly velocityThresholdPerMinute: number;
  /** An amount at or above this counts towards high_amount_count. */
  readonly highAmountThreshold: number;
}

export const DEFAULT_PROCESSOR_CONFIG: ProcessorConfig = Object.freeze({
  windowSizeMinutes: 5,
  velocityThresholdPerMinute: 2,
  highAmountThreshold: 1000,
});

/** Every field not given takes its default; each must be a positive finite number. */
export function resolveProcessorConfig(config: Partial<ProcessorConfig> = {}): ProcessorConfig {
  const resolved = { ...DEFAULT_PROCESSOR_CONFIG, ...definedFields(config) };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new FeatureflowError(
        'invalid_argument',
        `processor config ${name} is unusable: ${String(value)} (a positive finite number, default ${DEFAULT_PROCESSOR_CONFIG[name as keyof ProcessorConfig]})`,
        { context: { [name]: value } },
      );
    }
  }
  return Object.freeze(resolved);
}

function definedFields(config: Partial<ProcessorConfig>): Partial<ProcessorConfig> {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
}
