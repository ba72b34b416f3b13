/**
 * What a Redis URL names: the one place that reads one (REDIS_URL, --redis, the sink's and
 * the store's `redisUrl`), validates it and hides its password for messages.
 *
 *   redis://[user:password@]host:port[/db]          one Redis (rediss:// for TLS)
 *   redis+cluster://[user:password@]host:port[,host:port...]
 *                                                    a Redis Cluster (rediss+cluster:// for TLS)
 *
 * A cluster is named by one or more of its nodes (the client learns the others from them), in
 * the same variable as a single Redis, so every command and environment selects it the same way
 * (docs/redis-layout.md).
 */
import { FeatureflowError } from '../errors.ts';
import { redactSecrets } from '../redaction.ts';

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

export type RedisTarget =
  | {
      readonly mode: 'standalone';
      /** The URL as given, for the client. */
      readonly url: string;
      /** The URL without its password, for messages. */
      readonly displayUrl: string;
    }
  | {
      readonly mode: 'cluster';
      readonly nodes: readonly RedisNodeAddress[];
      readonly username: string | undefined;
      readonly password: string | undefined;
      readonly tls: boolean;
      readonly displayUrl: string;
    };

export const REDIS_URL_FORMS =
  'expected redis://host:port, rediss://host:port, or redis+cluster://host:port[,host:port...] for a Redis Cluster';

const STANDALONE = /^rediss?:\/\//i;
// scheme, then userinfo up to the last '@' (a password may hold '@' percent-encoded or not),
// then the node list, then an optional '/' or '/0' (a cluster has database 0 only).
const CLUSTER = /^(rediss?)\+cluster:\/\/(?:(.*)@)?([^@/?#]*)(\/[^?#]*)?(\?[^#]*)?(#.*)?$/i;
const NODE = /^(\[[0-9a-f:.]+\]|[^\s:[\],]+):(\d{1,5})$/i;

/** redis://user:secret@host:6379 -> redis://user:***@host:6379, ?password=secret too. */
export function redactRedisUrl(url: string): string {
  return redactSecrets(url);
}

/** Why `url` names no usable Redis, or undefined when it does: for validators that word the
 * message themselves. */
export function redisUrlProblem(url: string): string | undefined {
  const read = readRedisUrl(url);
  return 'problem' in read ? read.problem : undefined;
}

/** The Redis or Redis Cluster `url` names; FeatureflowError('invalid_argument') if none. */
export function parseRedisUrl(url: string, source = 'the Redis URL'): RedisTarget {
  const read = readRedisUrl(url);
  if ('problem' in read) {
    const displayUrl = redactRedisUrl(url);
    throw new FeatureflowError(
      'invalid_argument',
      `${source} is unusable: '${displayUrl}' (${read.problem})`,
      { context: { redisUrl: displayUrl } },
    );
  }
  return read;
}

class UnusableUrl {
  constructor(readonly problem: string) {}
}

function readRedisUrl(url: string): RedisTarget | { problem: string } {
  try {
    return readOrThrow(url);
  } catch (error) {
    if (error instanceof UnusableUrl) return { problem: error.problem };
    throw error;
  }
}

function readOrThrow(url: string): RedisTarget {
  const displayUrl = redactRedisUrl(url);
  const fail = (problem: string): never => {
    throw new UnusableUrl(problem);
  };
  const cluster = CLUSTER.exec(url);
  if (cluster !== null) {
    const [, scheme, userinfo, nodeList, path, query] = cluster;
    if (path !== undefined && path !== '/' && path !== '/0') {
      fail(`a Redis Cluster has database 0 only: drop '${path}'`);
    }
    if (query !== undefined) fail('a cluster URL takes no query parameters');
    const nodes = (nodeList ?? '').split(',').map((node) => node.trim());
    if (nodes.length === 0 || nodes.some((node) => node === '')) {
      fail('name at least one node as host:port, nodes separated by commas');
    }
    const addresses = nodes.map((node): RedisNodeAddress => {
      const match = NODE.exec(node);
      const port = Number(match?.[2]);
      if (match === null || !Number.isInteger(port) || port < 1 || port > 65_535) {
        return fail(`node '${node}' is not host:port with a port in 1..65535`);
      }
      return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
    });
    const { username, password } = splitUserinfo(userinfo, fail);
    return Object.freeze({
      mode: 'cluster',
      nodes: Object.freeze(addresses),
      username,
      password,
      tls: scheme!.toLowerCase() === 'rediss',
      displayUrl,
    });
  }
  if (!STANDALONE.test(url)) fail(REDIS_URL_FORMS);
  try {
    new URL(url);
  } catch {
    // Clients parse it as a WHATWG URL: one that does not parse would fail later, deep in a
    // client, as a stack trace.
    fail(
      'not a URL: check the host and the port, and percent-encode / @ # in a password as %2F %40 %23',
    );
  }
  return Object.freeze({ mode: 'standalone', url, displayUrl });
}

function splitUserinfo(
  userinfo: string | undefined,
  fail: (problem: string) => never,
): { username: string | undefined; password: string | undefined } {
  if (userinfo === undefined) return { username: undefined, password: undefined };
  const cut = userinfo.indexOf(':');
  const rawUser = cut < 0 ? userinfo : userinfo.slice(0, cut);
  const rawPassword = cut < 0 ? undefined : userinfo.slice(cut + 1);
  try {
    return {
      username: rawUser === '' ? undefined : decodeURIComponent(rawUser),
      password:
        rawPassword === undefined || rawPassword === ''
          ? undefined
          : decodeURIComponent(rawPassword),
    };
  } catch {
    return fail('the user or password is not valid percent-encoding (write % as %25)');
  }
}
