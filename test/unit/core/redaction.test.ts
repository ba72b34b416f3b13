import { describe, expect, it } from 'vitest';
import { redactSecrets, secretsOf } from '../../../src/core/redaction.ts';

describe('redactSecrets', () => {
  it.each([
    ['redis://127.0.0.1:6380', 'redis://127.0.0.1:6380'],
    [
      'at redis://:s3cret@redis.internal:6379/0: refused',
      'at redis://:***@redis.internal:6379/0: refused',
    ],
    ['rediss://app:p@ss/w0rd@redis.internal:6380', 'rediss://app:***@redis.internal:6380'],
    [
      'http://gw:s3cret@gateway:8083 and kafka://u:p2@b:9092',
      'http://gw:***@gateway:8083 and kafka://u:***@b:9092',
    ],
    ["'redis://h:6379/0?password=s3cret&db=1'", "'redis://h:6379/0?password=***&db=1'"],
    ['redis://h:6379?db=0&pass=s3cret', 'redis://h:6379?db=0&pass=***'],
    ['{"redisUrl":"redis://:s3cret@h:1"}', '{"redisUrl":"redis://:***@h:1"}'],
    ['redis://app@redis.internal:6379', 'redis://app@redis.internal:6379'],
  ])('%s -> %s', (text, shown) => {
    expect(redactSecrets(text)).toBe(shown);
  });

  it('hides literal secrets, whatever surrounds them', () => {
    expect(
      redactSecrets('SASL authentication failed for user app, password s3cret', ['s3cret']),
    ).toBe('SASL authentication failed for user app, password ***');
  });
});

describe('secretsOf', () => {
  it('takes passwords from REDIS_URL, its query, SASL env and URL flags, raw and decoded', () => {
    const secrets = secretsOf(
      {
        REDIS_URL: 'redis://:a%2Fb@h:1/0?password=q-secret',
        KAFKA_SASL_PASSWORD: 'sasl-secret',
      },
      ['--redis', 'redis://u:flag-secret@h:1'],
    );
    expect(secrets).toEqual(
      expect.arrayContaining(['a%2Fb', 'a/b', 'q-secret', 'sasl-secret', 'flag-secret']),
    );
  });
});
