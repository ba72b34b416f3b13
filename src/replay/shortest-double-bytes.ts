/**
 * The text JavaScript gives a double (Number::toString, which JSON.stringify uses for finite
 * numbers), written as bytes into a buffer without making a string, for the doubles
 * ./json-number-bytes.ts cannot write from an integer: averages, deviations, sums with a rounding
 * residue. `String(v)` for those cost more than half of formatting replay's rows with 10,000
 * cards (about 1.8M calls a run, each a call into V8's runtime and a new string).
 *
 * The digits come from Grisu3 (Loitsch, "Printing Floating-Point Numbers Quickly and Accurately
 * with Integers", PLDI 2010), the algorithm V8 itself tries first. Grisu3 either finds the
 * shortest digits that read back as the same double, and of those the closest to it, which is
 * exactly what the specification asks for, or it reports that it cannot be sure (about 0.5% of
 * doubles, when two candidates are too close to call); then, and for subnormal doubles, this
 * returns -1 and the caller writes `String(v)`.
 *
 * Grisu works on 64-bit integers; here they are JavaScript doubles, which hold integers exactly
 * below 2^53. A 64-bit significand is a pair of 32-bit halves, multiplied half by half
 * (Math.imul gives a product's low half exactly, the rounded double product its high half), and
 * the scaled value is split at a binary point s bits up, s kept in [40, 43] by the choice of the
 * power of ten: the integer part is then below 2^24, an int32, and the fraction below 2^43, so
 * the fraction times 1000 stays below 2^53 and three digits come exactly from one fraction.
 * In numbers (replay's averages and deviations, one thread): about 190 ns a value against
 * 290 ns for String(v) and copying its characters, before the garbage of those strings.
 * test/unit/replay/shortest-double-bytes.test.ts holds the bytes to String(v) on random doubles of every exponent.
 * It pays: bench/replay-throughput.ts turns it off (shortest-double, ./fast-paths.ts) and prints
 * its share.
 */

const TWO_32 = 2 ** 32;
const TWO_31 = 2 ** 31;
/** Multiplying by a power of two is exact, and cheaper than dividing. */
const INVERSE_TWO_32 = 2 ** -32;
/**
 * The binary point of the scaled value: the fraction takes the low s bits, s in this range, at
 * least 4 wide because consecutive powers of ten are about 3.3 binary exponents apart.
 */
const MIN_POINT = 40;
const MAX_POINT = 43;
/** 2^i and 2^-i for i in [0, 64]. */
const POWERS_OF_TWO = Array.from({ length: 65 }, (_, i) => 2 ** i);
const INVERSE_POWERS_OF_TWO = Array.from({ length: 65 }, (_, i) => 2 ** -i);
/** 10^i for i in [0, 22], all exact doubles. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

const ZERO = 0x30;
const DOT = 0x2e;
const MINUS = 0x2d;
/** More digits than a double's shortest text ever has (17): "no point among the digits". */
const MAX_DIGITS = 32;

/**
 * The power of ten each binary exponent of a double is scaled by, found on first use (replay's
 * values have a few exponents): its 64-bit significand in halves, its binary exponent, and its
 * decimal exponent q (the power is about 10^q). Indexed by the double's biased exponent (1 to
 * 2046; 0 and 2047 are never looked up). A high half of 0 means not found yet: a significand's
 * top bit is set, so a found one's high half is at least 2^31.
 */
const powerHigh = new Float64Array(2047);
const powerLow = new Float64Array(2047);
const powerBinaryExponent = new Float64Array(2047);
const powerDecimalExponent = new Float64Array(2047);

/** Scratch for reading a double's bits. */
const bitsView = new DataView(new ArrayBuffer(8));
/** The result of `scaledTop`: the high and low 32 bits of the rounded top 64 bits. */
const product = new Float64Array(2);

/**
 * Writes the text of `value` at `at` (room for 25 bytes) and returns where it ends, or -1 when
 * the caller must use `String(value)`: a subnormal, zero, NaN or infinity (never passed by
 * ./json-number-bytes.ts, which writes those itself), or a double Grisu3 cannot settle. Digits
 * are written where they go before it is known how many there are: any of the 25 bytes may
 * have been written, also when it returns -1.
 */
export function writeShortestDouble(bytes: Uint8Array, at: number, value: number): number {
  bitsView.setFloat64(0, value);
  const highWord = bitsView.getUint32(0);
  const lowWord = bitsView.getUint32(4);
  const biasedExponent = (highWord >>> 20) & 0x7ff;
  if (biasedExponent === 0 || biasedExponent === 0x7ff) return -1;
  // value = significand * 2^exponent, the significand 53 bits with its hidden bit.
  const significand = (highWord & 0xfffff) * TWO_32 + lowWord + 2 ** 52;
  if (powerHigh[biasedExponent] === 0) findPower(biasedExponent);

  // The value as a 64-bit significand (shifted up 11 bits, exact) and its neighbours halfway to
  // the next doubles below and above: 2^10 either way at this scale, or 2^9 below when the
  // significand is a power of two (the next double below is half as far).
  const wHigh = Math.floor(significand * 2 ** -21);
  const wLow = (significand % 2 ** 21) * 2 ** 11;
  const lowerHalfGap = significand === 2 ** 52 && biasedExponent > 1 ? 2 ** 9 : 2 ** 10;
  let minusHigh = wHigh;
  let minusLow = wLow - lowerHalfGap;
  if (minusLow < 0) {
    minusLow += TWO_32;
    minusHigh--;
  }
  // The half gap above never carries: wLow is a multiple of 2^11 below 2^32.
  const plusLow = wLow + 2 ** 10;

  const cHigh = powerHigh[biasedExponent]!;
  const cLow = powerLow[biasedExponent]!;
  // Scaled by the power: each is within 1 unit (of the last place kept) of the exact product.
  // The value and its neighbour above share their high half, and so do the products of it; the
  // one below too unless it borrowed from it.
  const highByHigh = multiply32High(wHigh, cHigh);
  const highByHighLow = Math.imul(wHigh, cHigh) >>> 0;
  const highByLow = multiply32High(wHigh, cLow);
  const highByLowLow = Math.imul(wHigh, cLow) >>> 0;
  scaledTop(wLow, cHigh, cLow, highByHigh, highByHighLow, highByLow, highByLowLow);
  const scaledHigh = product[0]!;
  const scaledLow = product[1]!;
  if (minusHigh === wHigh) {
    scaledTop(minusLow, cHigh, cLow, highByHigh, highByHighLow, highByLow, highByLowLow);
  } else {
    scaledTop(
      minusLow,
      cHigh,
      cLow,
      multiply32High(minusHigh, cHigh),
      Math.imul(minusHigh, cHigh) >>> 0,
      multiply32High(minusHigh, cLow),
      Math.imul(minusHigh, cLow) >>> 0,
    );
  }
  let tooLowHigh = product[0]!;
  let tooLowLow = product[1]! - 1;
  if (tooLowLow < 0) {
    tooLowLow += TWO_32;
    tooLowHigh--;
  }
  scaledTop(plusLow, cHigh, cLow, highByHigh, highByHighLow, highByLow, highByLowLow);
  let tooHighHigh = product[0]!;
  let tooHighLow = product[1]! + 1;
  if (tooHighLow === TWO_32) {
    tooHighLow = 0;
    tooHighHigh++;
  }
  // Differences of nearby 64-bit values: small, so exact as doubles.
  const unsafeInterval = (tooHighHigh - tooLowHigh) * TWO_32 + (tooHighLow - tooLowLow);
  const distanceTooHighW = (tooHighHigh - scaledHigh) * TWO_32 + (tooHighLow - scaledLow);

  // Binary exponent of the scaled values: 64 more than the sum, as only the top 64 bits are kept.
  const point = -(significandExponent(biasedExponent) + powerBinaryExponent[biasedExponent]! + 64);
  const one = POWERS_OF_TWO[point]!;
  const inverseOne = INVERSE_POWERS_OF_TWO[point]!;
  const split = POWERS_OF_TWO[point - 32]!;
  // The upper end of the unsafe interval split at the binary point: the integer part is below
  // 2^24 (point >= 40) and at least 2^19 (both factors are at least 2^63, point <= 43).
  const integrals = Math.floor(tooHighHigh * INVERSE_POWERS_OF_TWO[point - 32]!);
  let fractionals = (tooHighHigh - integrals * split) * TWO_32 + tooHighLow;

  // The text's decimal point comes after `pointPosition` digits, known before any is written:
  // value ~ digits * 10^(kappa - q), and each digit adds to their count what it takes from kappa.
  const integralDigits = integralDigitCount(integrals);
  const pointPosition = integralDigits - powerDecimalExponent[biasedExponent]!;
  if (value < 0) bytes[at++] = MINUS;
  // In the plain layout with a point among the digits, the digits are written around its place.
  const dotIndex = pointPosition > 0 && pointPosition <= 21 ? pointPosition : MAX_DIGITS;

  // The integer part's digits, from the last, in int32 arithmetic (a division by the constant 10
  // compiles to a multiplication). Grisu stops after the first digit whose rest (what is left of
  // the integer part, at the binary point's scale, plus the fraction) is inside the unsafe
  // interval; the interval is below 2^13 and a unit of the integer part is 2^40 or more, so that
  // is the last digit before the integer part's trailing zeros, and only if the fraction is
  // inside the interval.
  let rest = integrals | 0;
  let trailingZeros = 0;
  let stillZeros = true;
  for (let i = integralDigits - 1; i >= 0; i--) {
    const quotient = (rest / 10) | 0;
    const digit = rest - quotient * 10;
    if (stillZeros && digit === 0 && i > 0) trailingZeros++;
    else stillZeros = false;
    bytes[digitAt(at, i, dotIndex)] = ZERO + digit;
    rest = quotient;
  }
  let length: number;
  let settled: boolean;
  if (fractionals < unsafeInterval) {
    length = integralDigits - trailingZeros;
    const tenKappa = POWERS_OF_TEN[trailingZeros]! * one;
    settled = roundWeed(
      bytes,
      digitAt(at, length - 1, dotIndex),
      distanceTooHighW,
      unsafeInterval,
      fractionals,
      tenKappa,
      1,
    );
  } else {
    // Then the fraction's digits until the rest is inside the interval (scaled with the digits,
    // as is the error `unit`). Three at a time from one fraction: with the point at most 43 bits
    // up, the fraction times 1000 is exact, and the three products and their rests are
    // independent of each other, so the processor overlaps them instead of waiting for each.
    length = integralDigits;
    let interval = unsafeInterval;
    let fractionDigits = 0;
    for (;;) {
      const tens = fractionals * 10;
      const hundreds = fractionals * 100;
      const thousands = fractionals * 1000;
      const first = Math.floor(tens * inverseOne);
      const firstTwo = Math.floor(hundreds * inverseOne);
      const firstThree = Math.floor(thousands * inverseOne);
      bytes[digitAt(at, length++, dotIndex)] = ZERO + first;
      fractionDigits++;
      interval *= 10;
      fractionals = tens - first * one;
      if (fractionals < interval) break;
      bytes[digitAt(at, length++, dotIndex)] = ZERO + firstTwo - first * 10;
      fractionDigits++;
      interval *= 10;
      fractionals = hundreds - firstTwo * one;
      if (fractionals < interval) break;
      bytes[digitAt(at, length++, dotIndex)] = ZERO + firstThree - firstTwo * 10;
      fractionDigits++;
      interval *= 10;
      fractionals = thousands - firstThree * one;
      if (fractionals < interval) break;
    }
    const unit = POWERS_OF_TEN[fractionDigits]!;
    settled = roundWeed(
      bytes,
      digitAt(at, length - 1, dotIndex),
      distanceTooHighW * unit,
      interval,
      fractionals,
      one,
      unit,
    );
  }
  if (!settled) return -1;
  return layOut(bytes, at, length, pointPosition);
}

/** Where the digit at `index` is written: after the point's place when it comes at or after it. */
function digitAt(at: number, index: number, dotIndex: number): number {
  return index < dotIndex ? at + index : at + index + 1;
}

/**
 * Grisu3's last step: moves the last digit down while that brings the digits closer to the
 * value and stays inside the unsafe interval, and says whether the result is certainly the
 * closest shortest one. In the words of the paper: `rest` is how far the digits are below the
 * upper end of the unsafe interval, `tenKappa` the weight of the last digit, `unit` the error.
 */
function roundWeed(
  bytes: Uint8Array,
  lastDigitAt: number,
  distanceTooHighW: number,
  unsafeInterval: number,
  rest: number,
  tenKappa: number,
  unit: number,
): boolean {
  const smallDistance = distanceTooHighW - unit;
  const bigDistance = distanceTooHighW + unit;
  while (
    rest < smallDistance &&
    unsafeInterval - rest >= tenKappa &&
    (rest + tenKappa < smallDistance || smallDistance - rest >= rest + tenKappa - smallDistance)
  ) {
    bytes[lastDigitAt]!--;
    rest += tenKappa;
  }
  if (
    rest < bigDistance &&
    unsafeInterval - rest >= tenKappa &&
    (rest + tenKappa < bigDistance || bigDistance - rest > rest + tenKappa - bigDistance)
  ) {
    return false;
  }
  return 2 * unit <= rest && rest <= unsafeInterval - 4 * unit;
}

/**
 * Lays out the `length` digits written at `at` (around the point's place when 0 < pointPosition
 * <= 21) as Number::toString does: plain up to 21 integer digits, plain down to 0.000001, an
 * exponent otherwise ("1.5e+21", "1e-7"); returns where the text ends.
 */
function layOut(bytes: Uint8Array, at: number, length: number, pointPosition: number): number {
  if (pointPosition > 0 && pointPosition <= 21) {
    if (length > pointPosition) {
      bytes[at + pointPosition] = DOT;
      return at + length + 1;
    }
    // An integer: zeros up to the point.
    for (let i = length; i < pointPosition; i++) bytes[at + i] = ZERO;
    return at + pointPosition;
  }
  if (pointPosition > -6 && pointPosition <= 0) {
    // "0." and -pointPosition zeros before the digits.
    const shift = 2 - pointPosition;
    bytes.copyWithin(at + shift, at, at + length);
    bytes[at] = ZERO;
    bytes[at + 1] = DOT;
    for (let i = 2; i < shift; i++) bytes[at + i] = ZERO;
    return at + shift + length;
  }
  let end = at + 1;
  if (length > 1) {
    bytes.copyWithin(at + 2, at + 1, at + length);
    bytes[at + 1] = DOT;
    end = at + length + 1;
  }
  bytes[end++] = 0x65; // e
  const exponent = pointPosition - 1;
  bytes[end++] = exponent < 0 ? MINUS : 0x2b; // - or +
  const magnitude = exponent < 0 ? -exponent : exponent;
  if (magnitude >= 100) bytes[end++] = ZERO + Math.floor(magnitude / 100);
  if (magnitude >= 10) bytes[end++] = ZERO + (Math.floor(magnitude / 10) % 10);
  bytes[end++] = ZERO + (magnitude % 10);
  return end;
}

/** The binary exponent of the 64-bit significand of a normal double (its 53 bits shifted up 11). */
function significandExponent(biasedExponent: number): number {
  return biasedExponent - 1075 - 11;
}

/** Decimal digits of the integer part, which is in [2^19, 2^24): the binary point is 40 to 43 bits up. */
function integralDigitCount(value: number): number {
  return value < 1e6 ? 6 : value < 1e7 ? 7 : 8;
}

/**
 * The top 64 bits, rounded, of the 128-bit product of two 64-bit integers given in 32-bit
 * halves (Grisu's DiyFp multiplication), into `product` as halves; the products of the first's
 * high half come in already made (`highBy...`, each as its high and low 32 bits). As in Grisu,
 * the lowest 32 bits of the lowest product are left out before rounding: the error that adds is
 * far below the one unit the algorithm allows for.
 */
function scaledTop(
  low: number,
  cHigh: number,
  cLow: number,
  highByHigh: number,
  highByHighLow: number,
  highByLow: number,
  highByLowLow: number,
): void {
  const lowByHigh = multiply32High(low, cHigh);
  const lowByHighLow = Math.imul(low, cHigh) >>> 0;
  const lowByLow = multiply32High(low, cLow);
  // The bits below the top 64, with a half added so that the cut rounds to nearest.
  const below = lowByLow + highByLowLow + lowByHighLow + TWO_31;
  const middle = highByHighLow + highByLow + lowByHigh + Math.floor(below * INVERSE_TWO_32);
  const carry = Math.floor(middle * INVERSE_TWO_32);
  product[0] = highByHigh + carry;
  product[1] = middle - carry * TWO_32;
}

/**
 * The high 32 bits of the 64-bit product of two 32-bit unsigned integers. Its low half is exact
 * from Math.imul; the double product is off by at most 2^12 from the exact one, far less than
 * the 2^32 that separates two possible high halves.
 */
function multiply32High(a: number, b: number): number {
  return Math.round((a * b - (Math.imul(a, b) >>> 0)) * INVERSE_TWO_32);
}

/**
 * Finds the power of ten 10^q for a double's exponent that puts the scaled value's binary point
 * between MIN_POINT and MAX_POINT bits up, as a 64-bit significand rounded to nearest (Grisu's
 * cached power, within half a unit of the exact power). Computed once per exponent with BigInt.
 */
function findPower(biasedExponent: number): void {
  const wExponent = significandExponent(biasedExponent);
  // The scaled exponent is wExponent + powerExponent + 64; aim at the middle of the range.
  const target = -(MIN_POINT + MAX_POINT) / 2 - wExponent - 64;
  let q = Math.round((target + 63) * Math.log10(2));
  for (;;) {
    const { high, low, exponent } = powerOfTenSignificand(q);
    const point = -(wExponent + exponent + 64);
    // A larger power moves the binary point down.
    if (point < MIN_POINT) q--;
    else if (point > MAX_POINT) q++;
    else {
      powerHigh[biasedExponent] = high;
      powerLow[biasedExponent] = low;
      powerBinaryExponent[biasedExponent] = exponent;
      powerDecimalExponent[biasedExponent] = q;
      return;
    }
  }
}

/** 10^q as f * 2^exponent with f in [2^63, 2^64), f rounded to nearest. */
function powerOfTenSignificand(q: number): { high: number; low: number; exponent: number } {
  let f: bigint;
  let exponent: number;
  if (q >= 0) {
    const power = 10n ** BigInt(q);
    const bits = power.toString(2).length;
    if (bits <= 64) {
      f = power << BigInt(64 - bits);
      exponent = bits - 64;
    } else {
      const shift = BigInt(bits - 64);
      f = (power + (1n << (shift - 1n))) >> shift;
      exponent = bits - 64;
    }
  } else {
    const divisor = 10n ** BigInt(-q);
    const shift = divisor.toString(2).length + 63;
    f = ((1n << BigInt(shift)) + divisor / 2n) / divisor;
    exponent = -shift;
  }
  if (f === 1n << 64n) {
    f >>= 1n;
    exponent++;
  }
  return { high: Number(f >> 32n), low: Number(f & 0xffffffffn), exponent };
}
