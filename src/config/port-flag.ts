import { FeatureflowError } from '../core/errors.ts';

/**
 * A port given on the command line or in the environment: a whole number 0..65535 (0 picks a
 * free one). `name` is how the user set it (`--metrics-port / FEATUREFLOW_METRICS_PORT`).
 */
export function parsePort(text: string, name: string): number {
  const port = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new FeatureflowError(
      'invalid_argument',
      `${name} must be a port number 0-65535 (0 picks a free one): got '${text}'`,
      { context: { value: text } },
    );
  }
  return port;
}
