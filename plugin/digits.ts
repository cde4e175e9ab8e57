// Decimal writers for the hand-built JSON of plugin/decode.ts and the generated layout writer.
// Every function writes at address o (the caller guarantees room) and returns the address after
// what it wrote. No allocation, no strings: this is the per-field hot path of `decode`.

/** Number of decimal digits of v. */
@inline
export function decimalCount(v: u32): usize {
  if (v < 100000) {
    if (v < 100) return v < 10 ? 1 : 2;
    if (v < 10000) return v < 1000 ? 3 : 4;
    return 5;
  }
  if (v < 10000000) return v < 1000000 ? 6 : 7;
  if (v < 1000000000) return v < 100000000 ? 8 : 9;
  return 10;
}

// "00".."99": two digits per step. Division by constants is done with multiply-shift: wazero's
// compiler emits a real div instruction for `/ 10`, which made formatting the slowest part.
const DIGITS2: usize = memory.data<u8>([
  48, 48, 48, 49, 48, 50, 48, 51, 48, 52, 48, 53, 48, 54, 48, 55, 48, 56, 48, 57,
  49, 48, 49, 49, 49, 50, 49, 51, 49, 52, 49, 53, 49, 54, 49, 55, 49, 56, 49, 57,
  50, 48, 50, 49, 50, 50, 50, 51, 50, 52, 50, 53, 50, 54, 50, 55, 50, 56, 50, 57,
  51, 48, 51, 49, 51, 50, 51, 51, 51, 52, 51, 53, 51, 54, 51, 55, 51, 56, 51, 57,
  52, 48, 52, 49, 52, 50, 52, 51, 52, 52, 52, 53, 52, 54, 52, 55, 52, 56, 52, 57,
  53, 48, 53, 49, 53, 50, 53, 51, 53, 52, 53, 53, 53, 54, 53, 55, 53, 56, 53, 57,
  54, 48, 54, 49, 54, 50, 54, 51, 54, 52, 54, 53, 54, 54, 54, 55, 54, 56, 54, 57,
  55, 48, 55, 49, 55, 50, 55, 51, 55, 52, 55, 53, 55, 54, 55, 55, 55, 56, 55, 57,
  56, 48, 56, 49, 56, 50, 56, 51, 56, 52, 56, 53, 56, 54, 56, 55, 56, 56, 56, 57,
  57, 48, 57, 49, 57, 50, 57, 51, 57, 52, 57, 53, 57, 54, 57, 55, 57, 56, 57, 57,
]);

/** v / 10 for any u32. */
@inline
function div10(v: u32): u32 {
  return <u32>((<u64>v * 0xcccccccd) >> 35);
}

/** v / 100 for any u32. */
@inline
function div100(v: u32): u32 {
  return <u32>((<u64>v * 0x51eb851f) >> 37);
}

/** Unsigned decimal. */
export function putU32(o: usize, v: u32): usize {
  const n = decimalCount(v);
  let e = o + n;
  while (v >= 100) {
    const q = div100(v);
    e -= 2;
    store<u16>(e, load<u16>(DIGITS2 + ((<usize>(v - q * 100)) << 1)));
    v = q;
  }
  if (v >= 10) {
    store<u16>(e - 2, load<u16>(DIGITS2 + (<usize>v << 1)));
  } else {
    store<u8>(e - 1, <u8>(0x30 + v));
  }
  return o + n;
}

/** Unsigned decimal left-padded with zeros to at least `width` digits (Python str.zfill). */
export function putPadded(o: usize, v: u32, width: usize): usize {
  const n = decimalCount(v);
  while (width > n) {
    store<u8>(o, 0x30);
    o++;
    width--;
  }
  return putU32(o, v);
}

/** Signed decimal. */
export function putI32(o: usize, v: i32): usize {
  if (v < 0) {
    store<u8>(o, 0x2d);
    return putU32(o + 1, <u32>(-v));
  }
  return putU32(o, <u32>v);
}

/**
 * The legacy ÷10 rule as JSON: v/10 as an integer when v % 10 == 0, otherwise "<int>.<digit>", which
 * is the shortest repr of the double v/10 for every s2 value (docs/legacy.md §2.1).
 */
export function putTenths(o: usize, v: i32): usize {
  let a = <u32>v;
  if (v < 0) {
    store<u8>(o, 0x2d);
    o++;
    a = <u32>(-v);
  }
  const q = div10(a);
  o = putU32(o, q);
  const d = a - q * 10;
  if (d != 0) {
    store<u8>(o, 0x2e);
    store<u8>(o + 1, <u8>(0x30 + d));
    o += 2;
  }
  return o;
}
