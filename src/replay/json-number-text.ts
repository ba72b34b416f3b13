/**
 * A number as JSON.stringify writes it, faster for the numbers replay's rows are mostly made of.
 *
 * Turning a double into its shortest round-trip text costs 120 to 220 ns in V8, and a
 * transaction row has six such numbers: that was four fifths of formatting a row, the largest
 * part of replay's writer thread with 10,000 cards (2 rows per event). Amounts have cents, so
 * amount_max, amount_min, often amount_sum and velocity_score are a whole number of hundredths,
 * and their text can be written from that integer directly.
 *
 * Why that text is exactly JavaScript's: when the decimal D = cents / 100 rounds to the double
 * v, JavaScript writes the fewest significant digits that round to v. Any other decimal with as
 * few digits as D, or fewer, is a multiple of D's last digit place (0.01 at the finest) and
 * differs from D by at least that; below 2^31 hundredths (|v| < 21,474,836.48) doubles are far
 * closer together than 0.01, so no such decimal rounds to v, and D's digits are the answer.
 * In that range JavaScript uses plain notation (no exponent), as written here. Anything else
 * takes `String(v)`. json-number-text.spec.ts holds this to JSON.stringify on random values.
 */

const MAX_HUNDREDTHS = 2 ** 31 - 1;

export function jsonNumberText(value: number): string {
  // NaN and the infinities: JSON.stringify writes null.
  if (value - value !== 0) return 'null';
  const hundredths = Math.round(value * 100);
  if (hundredths / 100 !== value || hundredths > MAX_HUNDREDTHS || hundredths < -MAX_HUNDREDTHS) {
    return String(value);
  }
  // -0 comes here as 0 hundredths and is written "0", as JSON.stringify does.
  const magnitude = hundredths < 0 ? -hundredths : hundredths;
  const whole = (magnitude / 100) | 0;
  const fraction = magnitude - whole * 100;
  let text: string;
  if (fraction === 0) text = `${whole}`;
  else if (fraction % 10 === 0) text = `${whole}.${fraction / 10}`;
  else text = `${whole}${fraction < 10 ? '.0' : '.'}${fraction}`;
  return hundredths < 0 ? `-${text}` : text;
}
