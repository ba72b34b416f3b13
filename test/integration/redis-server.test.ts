// The test harness itself: a private redis-server on a random port, never the 6379 one.
import { describe, expect, inject, it } from 'vitest';
import { answersPing, startRedisServer } from '../support/redis-server.ts';

describe('startRedisServer', () => {
  it('gives the run its own server, not the one on 6379', () => {
    const url = new URL(inject('redisUrl'));
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).not.toBe('6379');
  });

  it('starts a server that answers PING and is gone after stop()', async () => {
    const server = await startRedisServer();
    expect(server.port).not.toBe(6379);
    expect(await answersPing(server.port)).toBe(true);
    await server.stop();
    expect(await answersPing(server.port)).toBe(false);
    await server.stop(); // a second stop is harmless
  });

  it('explains a server that cannot start', async () => {
    await expect(startRedisServer({ extraArgs: ['--no-such-option', 'x'] })).rejects.toThrow(
      /^redis-server did not start on 127\.0\.0\.1:\d+: exit code 1 .*\(binary \/usr\/bin\/redis-server; install it with 'apt-get install redis-server'\)\n[\s\S]*no-such-option/,
    );
  });
});
