// Which bridge jar a submit uses, and the error when a configured one is missing.
import { afterEach, describe, expect, it } from 'vitest';
import { BRIDGE_JAR, ensureBridgeJar, resolveBridgeJar } from '../../src/flink/bridge-jar.ts';

const saved = process.env.FEATUREFLOW_BRIDGE_JAR;
afterEach(() => {
  if (saved === undefined) delete process.env.FEATUREFLOW_BRIDGE_JAR;
  else process.env.FEATUREFLOW_BRIDGE_JAR = saved;
});

describe('the Flink bridge jar', () => {
  it("is this checkout's unless FEATUREFLOW_BRIDGE_JAR names a deployment's own", () => {
    expect(resolveBridgeJar({})).toBe(BRIDGE_JAR);
    expect(BRIDGE_JAR).toMatch(
      /udf-server\/flink-bridge\/target\/featureflow-flink-bridge-[\d.]+\.jar$/,
    );
    expect(resolveBridgeJar({ FEATUREFLOW_BRIDGE_JAR: '/opt/flink/lib/bridge.jar' })).toBe(
      '/opt/flink/lib/bridge.jar',
    );
  });

  it('is never built in place of a configured jar that is missing: the error says what to do', async () => {
    process.env.FEATUREFLOW_BRIDGE_JAR = '/nonexistent/featureflow-flink-bridge.jar';
    const log: string[] = [];
    await expect(ensureBridgeJar((line) => log.push(line))).rejects.toThrow(
      /FEATUREFLOW_BRIDGE_JAR points at \/nonexistent\/featureflow-flink-bridge\.jar, which does not exist \(unset it/,
    );
    expect(log).toEqual([]);
  });
});
