// Exact decimal <-> binary arithmetic for prediction:
// - decToF64: correctly rounded conversion of a decimal (digits x 10^e) to the
//   nearest double, ties to even (what Python float()/json and Go do), used by
//   the JSON number parser;
// - pyRound: Python's round(x, n) for n = 0..3 on the exact binary value of x,
//   half to even, returning the double nearest to the rounded decimal (CPython
//   float_round: _Py_dg_dtoa mode 3, then _Py_dg_strtod). Examples checked
//   against python3: round(2.675, 2) = 2.67 (2.675 is 2.67499999... in binary),
//   round(0.25, 1) = 0.2 (an exact binary tie, to even), round(2.5) = 2,
//   round(2.05, 1) = 2.0, round(2.95, 1) = 3.0.
// Both fall back to a small big-integer comparison only when the fast exact
// paths do not apply; there is no approximation anywhere.

// ---- tiny unsigned big integer: little-endian u32 limbs ------------------------

function bigFromU64(v: u64): Array<u32> {
  const a = new Array<u32>();
  a.push(<u32>(v & 0xffffffff));
  a.push(<u32>(v >>> 32));
  return a;
}

/** a = a * m + add, in place. */
export function bigMulAdd(a: Array<u32>, m: u32, add: u32): void {
  let carry: u64 = add;
  for (let i = 0; i < a.length; i++) {
    const t = <u64>unchecked(a[i]) * <u64>m + carry;
    unchecked((a[i] = <u32>(t & 0xffffffff)));
    carry = t >>> 32;
  }
  if (carry != 0) a.push(<u32>carry);
}

function bigMulPow10(a: Array<u32>, k: i32): void {
  while (k >= 9) {
    bigMulAdd(a, 1000000000, 0);
    k -= 9;
  }
  let m: u32 = 1;
  while (k > 0) {
    m *= 10;
    k--;
  }
  if (m != 1) bigMulAdd(a, m, 0);
}

function bigShl(a: Array<u32>, k: i32): Array<u32> {
  const limbs = k >> 5;
  const bits = k & 31;
  const r = new Array<u32>();
  for (let i = 0; i < limbs; i++) r.push(0);
  let carry: u32 = 0;
  for (let i = 0; i < a.length; i++) {
    const v = unchecked(a[i]);
    if (bits == 0) {
      r.push(v);
    } else {
      r.push((v << bits) | carry);
      carry = v >>> (32 - bits);
    }
  }
  if (carry != 0) r.push(carry);
  return r;
}

function bigCmp(a: Array<u32>, b: Array<u32>): i32 {
  let la = a.length;
  let lb = b.length;
  while (la > 0 && unchecked(a[la - 1]) == 0) la--;
  while (lb > 0 && unchecked(b[lb - 1]) == 0) lb--;
  if (la != lb) return la > lb ? 1 : -1;
  for (let i = la - 1; i >= 0; i--) {
    const x = unchecked(a[i]);
    const y = unchecked(b[i]);
    if (x != y) return x > y ? 1 : -1;
  }
  return 0;
}

function bigCopy(a: Array<u32>): Array<u32> {
  return a.slice(0);
}

export function bigFromDigit(): Array<u32> {
  const a = new Array<u32>();
  a.push(0);
  return a;
}

// ---- doubles as M * 2^E --------------------------------------------------------

let decM: u64 = 0;
let decE: i32 = 0;

/** Decompose a finite non-negative double into decM * 2^decE exactly. */
function decompose(x: f64): void {
  const bits = reinterpret<u64>(x);
  const ex = <i32>((bits >>> 52) & 0x7ff);
  const fr = bits & 0xfffffffffffff;
  if (ex == 0) {
    decM = fr;
    decE = -1074;
  } else {
    decM = fr | 0x10000000000000;
    decE = ex - 1075;
  }
}

/** Compare D * 10^e10 with the exact midpoint of adjacent non-negative doubles lo < hi. */
function cmpWithMid(D: Array<u32>, e10: i32, lo: f64, hi: f64): i32 {
  decompose(lo);
  const ml = decM;
  const el = decE;
  decompose(hi);
  const mh = decM;
  const eh = decE;
  const emin = el < eh ? el : eh;
  const mm: u64 = (ml << <u64>(el - emin)) + (mh << <u64>(eh - emin));
  const em = emin - 1;
  let L = bigCopy(D);
  let R = bigFromU64(mm);
  if (e10 >= 0) bigMulPow10(L, e10);
  else bigMulPow10(R, -e10);
  if (em >= 0) R = bigShl(R, em);
  else L = bigShl(L, -em);
  return bigCmp(L, R);
}

function isEven(x: f64): bool {
  return (reinterpret<u64>(x) & 1) == 0;
}

function nextUp(x: f64): f64 {
  return reinterpret<f64>(reinterpret<u64>(x) + 1);
}

function nextDown(x: f64): f64 {
  return reinterpret<f64>(reinterpret<u64>(x) - 1);
}

const MAXF: f64 = 1.7976931348623157e308;

/**
 * Nearest double (ties to even) to D * 10^e10, D > 0, starting from an
 * approximation `c` a few ulps away at most.
 */
function refine(D: Array<u32>, e10: i32, c: f64): f64 {
  if (c != c || c < 0) c = 0;
  if (c == Infinity) c = MAXF;
  for (let iter = 0; iter < 4096; iter++) {
    if (c < MAXF) {
      const up = nextUp(c);
      const k = cmpWithMid(D, e10, c, up);
      if (k > 0) {
        c = up;
        continue;
      }
      if (k == 0) return isEven(c) ? c : up;
    } else {
      // c is the largest double: D rounds to infinity from MAX + ulp/2 = 2^1024 - 2^970 up.
      const thr = bigShl(bigFromU64(0x3fffffffffffff), 970); // (2^54 - 1) * 2^970
      const L = bigCopy(D);
      if (e10 >= 0) bigMulPow10(L, e10);
      else bigMulPow10(thr, -e10);
      if (bigCmp(L, thr) >= 0) return Infinity;
    }
    if (c > 0) {
      const dn = nextDown(c);
      const k = cmpWithMid(D, e10, dn, c);
      if (k < 0) {
        c = dn;
        continue;
      }
      if (k == 0) return isEven(c) ? c : dn;
    }
    return c;
  }
  return c;
}

// Exact powers of ten as doubles (10^0 .. 10^22).
const P10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
];

function approx(sig: f64, e10: i32): f64 {
  let c = sig;
  let e = e10;
  while (e > 22) {
    c *= 1e22;
    e -= 22;
    if (c == Infinity) return MAXF;
  }
  while (e < -22) {
    c /= 1e22;
    e += 22;
    if (c == 0) return 0;
  }
  return e >= 0 ? c * unchecked(P10[e]) : c / unchecked(P10[-e]);
}

/** Nearest double to sig * 10^e10 (sig < 2^64), ties to even. */
export function decU64ToF64(sig: u64, e10: i32): f64 {
  if (sig == 0) return 0;
  if (sig <= 0x20000000000000 && e10 >= -22 && e10 <= 22) {
    // Clinger's fast path: both operands exact, one IEEE rounding.
    const s = <f64>sig;
    return e10 >= 0 ? s * unchecked(P10[e10]) : s / unchecked(P10[-e10]);
  }
  if (e10 > 400) return Infinity;
  if (e10 < -400) return 0;
  return refine(bigFromU64(sig), e10, approx(<f64>sig, e10));
}

/** Nearest double to D * 10^e10 for a big digit string D (more than 19 digits). */
export function decBigToF64(D: Array<u32>, e10: i32, approxSig: f64, approxE10: i32): f64 {
  let zero = true;
  for (let i = 0; i < D.length; i++) if (D[i] != 0) zero = false;
  if (zero) return 0;
  if (approxE10 > 400) return Infinity;
  if (approxE10 < -400) return 0;
  return refine(D, e10, approx(approxSig, approxE10));
}

// ---- Python round --------------------------------------------------------------

const TWO52: f64 = 4503599627370496.0;
const IP10: StaticArray<u64> = [1, 10, 100, 1000];

/**
 * Python round(x, n) for n in 0..3 (n = 0 is round(x), an int in Python; the
 * value is the same). Half to even on the exact binary value of x.
 */
export function pyRound(x: f64, n: i32): f64 {
  if (x != x || x == Infinity || x == -Infinity || x == 0) return x;
  const neg = x < 0;
  const a = neg ? -x : x;
  if (a >= TWO52) return x; // already an integer
  decompose(a);
  // a < 2^52, so decE <= -1
  const N: u64 = decM * unchecked(IP10[n]); // < 2^53 * 1000 < 2^63
  const sh = -decE;
  let q: u64 = 0;
  if (sh < 64) {
    q = N >>> <u64>sh;
    const r = N & ((<u64>1 << <u64>sh) - 1);
    const half = <u64>1 << <u64>(sh - 1);
    if (r > half || (r == half && (q & 1) != 0)) q++;
  }
  // sh >= 64: a * 10^n < 2^63 * 2^-64 = 0.5, rounds to 0
  const res = decU64ToF64(q, -n);
  return neg ? -res : res;
}
