// Support for the console integration tests: frames stored through the store's own SQL
// (nb67_store_batch) built from the real frame's record, users, logged-in HTTP sessions.
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { REPO_ROOT } from "../helpers/stack.ts";

const FRAME = JSON.parse(readFileSync(path.join(REPO_ROOT, "test/fixtures/legacy/whole_frame.expected.json"), "utf8")) as Record<string, number | string>;
export const FAULT_BIT = /^(bflt|bocflt|blpflt|bscflt)_/;

/** Device clock text as the decoder writes it (Asia/Shanghai, not zero-padded). */
function shanghai(t: Date): string {
  const s = new Date(t.getTime() + 8 * 3600_000);
  return `${s.getUTCFullYear()}-${s.getUTCMonth() + 1}-${s.getUTCDate()} ${s.getUTCHours()}:${s.getUTCMinutes()}:${s.getUTCSeconds()}`;
}
function utcText(t: Date): string {
  return t.toISOString().slice(0, 19).replace("T", " ");
}

/** A healthy record (every fault bit 0) of device <train 5 digits><carriage 2 digits> at t. */
export function record(dvcNo: string, t: Date, opts: { bits?: string[]; frameNo?: number; set?: Record<string, number> } = {}): Record<string, number | string> {
  const train = dvcNo.slice(0, -2);
  const r: Record<string, number | string> = { ...FRAME };
  for (const k of Object.keys(r)) if (FAULT_BIT.test(k)) r[k] = 0;
  for (const b of opts.bits ?? []) r[b] = 1;
  Object.assign(r, opts.set ?? {});
  r.dvc_train_no = Number(train);
  r.msg_train_no = Number(train);
  r.dvc_carriage_no = Number(dvcNo.slice(-2));
  r.msg_calc_train_no = train;
  r.msg_calc_dvc_no = dvcNo;
  r.msg_calc_dvc_time = shanghai(t);
  r.msg_calc_parse_time = utcText(t);
  r.msg_frame_no = opts.frameNo ?? Math.floor(t.getTime() / 1000) % 65536;
  return r;
}

export async function store(db: pg.Pool | pg.Client, recs: Record<string, number | string>[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < recs.length; i += 500) {
    const { rows } = await db.query("SELECT nb67_store_batch($1, 'Asia/Shanghai', 'UTC') AS n", [recs.slice(i, i + 500).map((r) => JSON.stringify(r)).join("\n")]);
    n += Number(rows[0].n);
  }
  return n;
}

/** A logged-in HTTP client of a running console (cookie + CSRF header on writes). */
export class Session {
  cookie = "";
  csrf = "";
  constructor(readonly base: string) {}
  async login(username: string, password: string): Promise<Response> {
    const r = await fetch(`${this.base}/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password }) });
    if (r.status === 200) {
      this.cookie = (r.headers.get("set-cookie") ?? "").split(";")[0];
      this.csrf = (await r.clone().json()).csrfToken;
    }
    return r;
  }
  get(p: string): Promise<Response> {
    return fetch(this.base + p, { headers: { cookie: this.cookie } });
  }
  async json<T = any>(p: string): Promise<T> {
    const r = await this.get(p);
    if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<T>;
  }
  send(method: string, p: string, body?: unknown, csrf = true): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.cookie };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (csrf) headers["x-csrf-token"] = this.csrf;
    return fetch(this.base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
}
