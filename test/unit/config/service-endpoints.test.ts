// UDF_ADDRESS takes one UDF service or a list of its replicas (the Flink bridge's 'address'
// option); every entry is checked, and a wrong one is named.
import { describe, expect, it } from 'vitest';
import { resolveServiceEndpoints } from '../../../src/config/environment.ts';
import { fillPlaceholders } from '../../../src/flink/sql-script.ts';

describe('UDF_ADDRESS', () => {
  it('takes one host:port, or a list of replicas with spaces trimmed', () => {
    expect(resolveServiceEndpoints({}, { UDF_ADDRESS: 'udf:50051' })).toMatchObject({
      udfAddress: 'udf:50051',
      udfAddresses: ['udf:50051'],
    });
    const replicas = resolveServiceEndpoints(
      { udfAddress: ' udf-a:50051, udf-b:50052 ,[::1]:50053' },
      {},
    );
    expect(replicas.udfAddress).toBe('udf-a:50051,udf-b:50052,[::1]:50053');
    expect(replicas.udfAddresses).toEqual(['udf-a:50051', 'udf-b:50052', '[::1]:50053']);
  });

  it('reaches LOAD MODULE as one literal, the list the bridge spreads batches over', () => {
    const { udfAddress } = resolveServiceEndpoints({}, { UDF_ADDRESS: 'udf-a:1, udf-b:2' });
    expect(
      fillPlaceholders("LOAD MODULE featureflow WITH ('address' = '${UDF_ADDRESS}')", {
        UDF_ADDRESS: udfAddress,
      }),
    ).toBe("LOAD MODULE featureflow WITH ('address' = 'udf-a:1,udf-b:2')");
  });

  const FORM =
    'expected host:port, or a comma-separated list of host:port, one per UDF service replica';
  it.each([
    ['udf', `'udf' (${FORM})`],
    ['udf-a:50051,udf-b', `'udf-a:50051,udf-b' (entry 2 'udf-b' is not host:port; ${FORM})`],
    ['udf-a:50051,,udf-b:1', `'udf-a:50051,,udf-b:1' (entry 2 '' is empty; ${FORM})`],
    [
      'udf-a:1,udf-b:70000',
      `'udf-a:1,udf-b:70000' (entry 2 'udf-b:70000' has a port over 65535; ${FORM})`,
    ],
    ['udf-a:1 udf-b:2', `'udf-a:1 udf-b:2' (${FORM})`],
    ['http://udf:1', `'http://udf:1' (${FORM})`],
  ])('refuses %j, naming the entry', (value, detail) => {
    expect(() => resolveServiceEndpoints({}, { UDF_ADDRESS: value })).toThrow(
      `UDF_ADDRESS / --udf-address is unusable: ${detail}`,
    );
  });
});
