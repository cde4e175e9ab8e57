// A small strict JSON reader over raw bytes in linear memory (RFC 8259 grammar),
// enough for the predict input and the rule parameters. It never traps: every
// problem is reported through `err` with the byte offset. Numbers are converted
// exactly (correctly rounded, ties to even), like Python's json and Go.
import { bigFromDigit, bigMulAdd, decBigToF64, decU64ToF64 } from "./pyround";

export const T_NONE: i32 = 0;
export const T_NULL: i32 = 1;
export const T_BOOL: i32 = 2;
export const T_NUM: i32 = 3;
export const T_STR: i32 = 4;
export const T_ARR: i32 = 5;
export const T_OBJ: i32 = 6;

const MAX_DEPTH: i32 = 64;
// The exact conversion below is quadratic in the number of digits. The longest decimal that still
// matters, the exact expansion of the smallest double (2^-1074), has 1,076 characters; anything
// longer is refused before conversion, so hostile input costs a linear scan at most.
export const MAX_NUMBER_CHARS: i32 = 1100;

export class JsonReader {
  base: usize;
  p: usize;
  end: usize;
  err: string = "";
  // last number read by num()
  num: f64 = 0;

  constructor(ptr: usize, len: usize) {
    this.base = ptr;
    this.p = ptr;
    this.end = ptr + len;
  }

  get ok(): bool {
    return this.err.length == 0;
  }

  fail(msg: string): void {
    if (this.err.length == 0) this.err = msg + " at byte " + (<i32>(this.p - this.base)).toString();
  }

  ws(): void {
    while (this.p < this.end) {
      const c = load<u8>(this.p);
      if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) this.p++;
      else break;
    }
  }

  /** Next byte after whitespace, or -1 at the end. Does not consume. */
  peek(): i32 {
    this.ws();
    return this.p < this.end ? <i32>load<u8>(this.p) : -1;
  }

  /** Consume byte c (after whitespace) or fail. */
  expect(c: i32): bool {
    if (this.peek() != c) {
      this.fail("expected '" + String.fromCharCode(c) + "'");
      return false;
    }
    this.p++;
    return true;
  }

  /** Consume c if it is next (after whitespace). */
  accept(c: i32): bool {
    if (this.peek() == c) {
      this.p++;
      return true;
    }
    return false;
  }

  /** Type of the next value by its first byte. */
  kind(): i32 {
    const c = this.peek();
    if (c == 0x22) return T_STR;
    if (c == 0x7b) return T_OBJ;
    if (c == 0x5b) return T_ARR;
    if (c == 0x6e) return T_NULL;
    if (c == 0x74 || c == 0x66) return T_BOOL;
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return T_NUM;
    return T_NONE;
  }

  private lit(word: string): bool {
    const n = <usize>word.length;
    if (this.p + n > this.end) {
      this.fail("bad literal");
      return false;
    }
    for (let i: usize = 0; i < n; i++) {
      if (<i32>load<u8>(this.p + i) != word.charCodeAt(<i32>i)) {
        this.fail("bad literal");
        return false;
      }
    }
    this.p += n;
    return true;
  }

  /** Read a string value (the next token must be '"'). Returns "" and sets err on failure. */
  str(): string {
    if (!this.expect(0x22)) return "";
    // fast path: no escapes
    const start = this.p;
    let q = this.p;
    let escaped = false;
    while (q < this.end) {
      const c = load<u8>(q);
      if (c == 0x22) break;
      if (c < 0x20) {
        this.p = q;
        this.fail("control character in string");
        return "";
      }
      if (c == 0x5c) {
        escaped = true;
        q += 2;
        continue;
      }
      q++;
    }
    if (q >= this.end) {
      this.p = q;
      this.fail("unterminated string");
      return "";
    }
    if (!escaped) {
      this.p = q + 1;
      return String.UTF8.decodeUnsafe(start, q - start);
    }
    // slow path: decode escapes into a byte buffer
    const buf = new Uint8Array(<i32>(q - start) + 4);
    let n = 0;
    let r = start;
    while (r < q) {
      const c = load<u8>(r);
      if (c != 0x5c) {
        buf[n++] = c;
        r++;
        continue;
      }
      const e = load<u8>(r + 1);
      r += 2;
      if (e == 0x22 || e == 0x5c || e == 0x2f) buf[n++] = e;
      else if (e == 0x62) buf[n++] = 8;
      else if (e == 0x66) buf[n++] = 12;
      else if (e == 0x6e) buf[n++] = 10;
      else if (e == 0x72) buf[n++] = 13;
      else if (e == 0x74) buf[n++] = 9;
      else if (e == 0x75) {
        let cp = this.hex4(r, q);
        if (cp < 0) return "";
        r += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && r + 6 <= q && load<u8>(r) == 0x5c && load<u8>(r + 1) == 0x75) {
          const lo = this.hex4(r + 2, q);
          if (lo < 0) return "";
          if (lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            r += 6;
          }
        }
        if (cp < 0x80) buf[n++] = <u8>cp;
        else if (cp < 0x800) {
          buf[n++] = <u8>(0xc0 | (cp >> 6));
          buf[n++] = <u8>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
          buf[n++] = <u8>(0xe0 | (cp >> 12));
          buf[n++] = <u8>(0x80 | ((cp >> 6) & 0x3f));
          buf[n++] = <u8>(0x80 | (cp & 0x3f));
        } else {
          buf[n++] = <u8>(0xf0 | (cp >> 18));
          buf[n++] = <u8>(0x80 | ((cp >> 12) & 0x3f));
          buf[n++] = <u8>(0x80 | ((cp >> 6) & 0x3f));
          buf[n++] = <u8>(0x80 | (cp & 0x3f));
        }
      } else {
        this.p = r - 1;
        this.fail("bad escape in string");
        return "";
      }
    }
    this.p = q + 1;
    return String.UTF8.decodeUnsafe(buf.dataStart, n);
  }

  private hex4(r: usize, q: usize): i32 {
    if (r + 4 > q) {
      this.p = r;
      this.fail("bad \\u escape");
      return -1;
    }
    let v = 0;
    for (let i: usize = 0; i < 4; i++) {
      const c = <i32>load<u8>(r + i);
      let d = -1;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      if (d < 0) {
        this.p = r;
        this.fail("bad \\u escape");
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }

  /** Read a number into this.num. Returns false and sets err on failure. */
  number(): bool {
    this.ws();
    const start = this.p;
    let q = this.p;
    const end = this.end;
    let neg = false;
    if (q < end && load<u8>(q) == 0x2d) {
      neg = true;
      q++;
    }
    // integer part
    const intStart = q;
    if (q >= end) {
      this.fail("bad number");
      return false;
    }
    let c = load<u8>(q);
    if (c == 0x30) {
      q++;
    } else if (c >= 0x31 && c <= 0x39) {
      while (q < end && load<u8>(q) >= 0x30 && load<u8>(q) <= 0x39) q++;
    } else {
      this.fail("bad number");
      return false;
    }
    const intEnd = q;
    let fracStart = q;
    let fracEnd = q;
    if (q < end && load<u8>(q) == 0x2e) {
      q++;
      fracStart = q;
      while (q < end && load<u8>(q) >= 0x30 && load<u8>(q) <= 0x39) q++;
      fracEnd = q;
      if (fracEnd == fracStart) {
        this.p = q;
        this.fail("bad number");
        return false;
      }
    }
    let exp: i32 = 0;
    if (q < end && (load<u8>(q) == 0x65 || load<u8>(q) == 0x45)) {
      q++;
      let eneg = false;
      if (q < end && (load<u8>(q) == 0x2b || load<u8>(q) == 0x2d)) {
        eneg = load<u8>(q) == 0x2d;
        q++;
      }
      const es = q;
      while (q < end && load<u8>(q) >= 0x30 && load<u8>(q) <= 0x39) {
        if (exp < 100000) exp = exp * 10 + <i32>(load<u8>(q) - 0x30);
        q++;
      }
      if (q == es) {
        this.p = q;
        this.fail("bad number");
        return false;
      }
      if (eneg) exp = -exp;
    }
    if (<i32>(q - start) > MAX_NUMBER_CHARS) {
      this.fail("number longer than " + MAX_NUMBER_CHARS.toString() + " characters");
      this.p = q;
      return false;
    }
    this.p = q;
    // significant digits: integer digits then fraction digits, leading zeros skipped
    let sig: u64 = 0;
    let nd: i32 = 0; // significant digits seen
    let approxSig: f64 = 0;
    const e10 = exp - <i32>(fracEnd - fracStart);
    for (let r = intStart; r < fracEnd; r++) {
      if (r == intEnd) {
        r = fracStart - 1;
        continue;
      }
      const d = <u64>(load<u8>(r) - 0x30);
      if (nd == 0 && d == 0) continue;
      if (nd < 19) sig = sig * 10 + d;
      if (nd < 20) approxSig = approxSig * 10 + <f64>d;
      nd++;
    }
    let v: f64 = 0;
    if (nd <= 19) {
      v = decU64ToF64(sig, e10);
    } else {
      // more than 19 significant digits: exact big-integer path
      const D = bigFromDigit();
      for (let r = intStart; r < fracEnd; r++) {
        if (r == intEnd) {
          r = fracStart - 1;
          continue;
        }
        bigMulAdd(D, 10, <u32>(load<u8>(r) - 0x30));
      }
      // approxSig holds the first 20 significant digits, for the starting guess
      v = decBigToF64(D, e10, approxSig, e10 + (nd - 20));
    }
    this.num = neg ? -v : v;
    return true;
  }

  /** Skip any value, validating it. Returns false (err set) on failure. */
  skip(depth: i32 = 0): bool {
    if (depth > MAX_DEPTH) {
      this.fail("nesting too deep");
      return false;
    }
    const k = this.kind();
    if (k == T_STR) {
      this.str();
      return this.ok;
    }
    if (k == T_NUM) return this.number();
    if (k == T_NULL) return this.lit("null");
    if (k == T_BOOL) return this.peek() == 0x74 ? this.lit("true") : this.lit("false");
    if (k == T_ARR) {
      this.p++;
      if (this.accept(0x5d)) return true;
      while (true) {
        if (!this.skip(depth + 1)) return false;
        if (this.accept(0x2c)) continue;
        return this.expect(0x5d);
      }
    }
    if (k == T_OBJ) {
      this.p++;
      if (this.accept(0x7d)) return true;
      while (true) {
        if (this.peek() != 0x22) {
          this.fail("expected object key");
          return false;
        }
        this.str();
        if (!this.ok) return false;
        if (!this.expect(0x3a)) return false;
        if (!this.skip(depth + 1)) return false;
        if (this.accept(0x2c)) continue;
        return this.expect(0x7d);
      }
    }
    if (this.p >= this.end) this.fail("unexpected end of input");
    else this.fail("unexpected character");
    return false;
  }

  /** Consume the literal null (kind() == T_NULL). */
  nul(): bool {
    return this.lit("null");
  }

  /** After the top-level value: only whitespace may follow. */
  atEnd(): bool {
    if (this.peek() != -1) {
      this.fail("trailing data after JSON value");
      return false;
    }
    return true;
  }
}
