/**
 * Secrets never reach a log: the one place that knows what a secret looks like in text.
 *
 * Three forms are hidden:
 * - the password of a URL's userinfo, in any scheme (`redis://user:secret@host` ->
 *   `redis://user:***@host`); a password may hold `@` or `/`, so it runs to the last `@` of
 *   the URL;
 * - password-like query parameters (`?password=secret`, `&pass=secret`);
 * - the literal values of the secrets the process was given (the password inside REDIS_URL,
 *   KAFKA_SASL_PASSWORD, REDIS_PASSWORD), raw and percent-decoded, wherever they appear: a
 *   library may print them in a form of its own.
 */

export const REDACTED = '***';

/** Environment variables whose whole value is a secret. */
export const SECRET_ENV_NAMES: readonly string[] = ['KAFKA_SASL_PASSWORD', 'REDIS_PASSWORD'];

/** Environment variables holding URLs whose userinfo or query may carry a password. */
export const URL_ENV_NAMES: readonly string[] = ['REDIS_URL', 'FLINK_SQL_GATEWAY'];

// scheme://user:password@ ; the password runs to the last '@' before white space or a quote.
const USERINFO_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]*:)[^\s'"`]*@/gi;
const PASSWORD_PARAMETER = /([?&](?:password|pass|passwd|pwd)=)[^&\s#'"`]*/gi;
// Values this short would blank out ordinary words of a message.
const MIN_LITERAL_SECRET_LENGTH = 3;

/** Hides every secret form in `text`; `secrets` are literal values to hide as well. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let redacted = text
    .replace(USERINFO_PASSWORD, `$1${REDACTED}@`)
    .replace(PASSWORD_PARAMETER, `$1${REDACTED}`);
  for (const secret of secrets) {
    if (secret.length >= MIN_LITERAL_SECRET_LENGTH && redacted.includes(secret)) {
      redacted = redacted.split(secret).join(REDACTED);
    }
  }
  return redacted;
}

/** The literal secrets in an environment and in command-line arguments (`--redis <url>`...). */
export function secretsOf(env: NodeJS.ProcessEnv, argv: readonly string[] = []): string[] {
  const secrets = new Set<string>();
  for (const name of SECRET_ENV_NAMES) {
    const value = env[name];
    if (value) secrets.add(value);
  }
  const urls = [...URL_ENV_NAMES.map((name) => env[name]), ...argv];
  for (const url of urls) {
    if (url) for (const password of passwordsInUrl(url)) secrets.add(password);
  }
  const all = [...secrets];
  // Percent-decoded forms too: a client prints the password it decoded from the URL.
  for (const secret of all) {
    const decoded = safeDecode(secret);
    if (decoded !== secret) secrets.add(decoded);
  }
  // Longest first, so a secret that contains another one is hidden whole.
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** The password of a URL's userinfo and of its password-like query parameters. */
function passwordsInUrl(text: string): string[] {
  const passwords: string[] = [];
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:(.*)@/i.exec(text);
  if (userinfo?.[1]) passwords.push(userinfo[1]);
  for (const match of text.matchAll(/[?&](?:password|pass|passwd|pwd)=([^&\s#]*)/gi)) {
    if (match[1]) passwords.push(match[1]);
  }
  return passwords;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not percent-encoded (a lone '%'): the raw form is the only one.
    return text;
  }
}
