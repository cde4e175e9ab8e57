// Thresholds: the effective rule parameters with the factory values beside them; change with a
// diff preview and a reason (validated by the module itself), reset one value or all, history,
// rollback to any earlier version, backtest. A change applies at the next predict run.
import type { FastifyInstance } from "fastify";
import { audit, tx } from "../lib/audit.ts";
import { badRequest, HttpError, notFound } from "../lib/errors.ts";
import { errors, NoQuery, obj, Reason, Timestamp } from "../lib/schemas.ts";
import { currentVersion, diff, effective, evaluate, loadFactory, merge, normalise, validate, type Params } from "./rules.ts";

const Num = { type: "number", minimum: -1e9, maximum: 1e9 } as const;
const Val = { anyOf: [Num, { type: "array", minItems: 1, maxItems: 32, items: Num }] } as const;
const DiffSchema = { type: "array", items: obj({ group: { type: "string" }, name: { type: "string" }, factory: {}, before: {}, after: {} }, ["group", "name", "factory", "before", "after"]) } as const;
const engineer = { role: "engineer" as const };

/** Body schema of a change set, built from the factory file: only known groups and names. A null must
 *  match a type list, not a later anyOf branch: with coerceTypes the number branch turns null into 0. */
function changeSchema(factory: Params, nullable: boolean) {
  return obj(
    Object.fromEntries(
      Object.entries(factory).map(([g, kv]) => [g, obj(Object.fromEntries(Object.keys(kv).map((n) => [n, nullable ? { anyOf: [{ ...Num, type: ["number", "null"] }, { type: "array", minItems: 1, maxItems: 32, items: Num }] } : Val])))]),
    ),
  );
}

type Changes = Record<string, Record<string, number | number[] | null>>;

function apply(current: Params, changes: Changes): Params {
  const out: Params = JSON.parse(JSON.stringify(current));
  for (const [g, kv] of Object.entries(changes)) {
    for (const [n, v] of Object.entries(kv)) {
      if (v === null) {
        if (out[g]) delete out[g][n];
      } else (out[g] ??= {})[n] = v;
    }
    if (out[g] && !Object.keys(out[g]).length) delete out[g];
  }
  return out;
}

export default async function thresholdRoutes(app: FastifyInstance): Promise<void> {
  const factoryNow = () => loadFactory(app.cfg.predictRulesPath);
  const factory0 = factoryNow();
  const appliesAt = () => new Date(Date.now() + app.cfg.predictIntervalMs).toISOString();

  const ParamRow = obj({ group: { type: "string" }, name: { type: "string" }, factory: {}, value: {}, overridden: { type: "boolean" } }, ["group", "name", "factory", "value", "overridden"]);
  const State = obj(
    { version: { type: "integer" }, updated_at: { type: ["string", "null"], format: "date-time" }, updated_by: { type: ["string", "null"] }, applies_at: Timestamp, params: { type: "array", items: ParamRow } },
    ["version", "updated_at", "updated_by", "applies_at", "params"],
  );

  async function state() {
    const factory = factoryNow();
    const v = await currentVersion(app.db);
    const eff = await effective(app.db, factory);
    const params = Object.entries(eff).flatMap(([g, kv]) =>
      Object.entries(kv).map(([n, val]) => ({ group: g, name: n, factory: factory[g]?.[n] ?? null, value: val, overridden: v.overrides[g]?.[n] !== undefined })),
    );
    return { version: v.id, updated_at: v.created_at ? new Date(v.created_at).toISOString() : null, updated_by: v.created_by, applies_at: appliesAt(), params };
  }

  /** Validate a full override set with the module; throws 400 with the module's reason. */
  async function check(factory: Params, overrides: Params): Promise<void> {
    const reason = await validate(app.cfg.wasmPath, merge(factory, overrides));
    if (reason) throw new HttpError(400, "invalid_thresholds", reason);
  }

  async function save(actor: string, action: "set" | "reset" | "rollback", reason: string, next: Params, extra: Record<string, unknown> = {}) {
    const factory = factoryNow();
    next = normalise(factory, next);
    await check(factory, next);
    return tx(app.db, async (c) => {
      await c.query("LOCK TABLE console_threshold_version IN SHARE ROW EXCLUSIVE MODE");
      const cur = await currentVersion(c);
      const d = diff(factory, merge(factory, cur.overrides), merge(factory, next));
      const { rows } = await c.query("INSERT INTO console_threshold_version (created_by, action, reason, overrides) VALUES ($1, $2, $3, $4::jsonb) RETURNING id", [actor, action, reason, JSON.stringify(next)]);
      await audit(c, { actor, action: `thresholds.${action}`, targetKind: "thresholds", target: String(rows[0].id), before: { version: cur.id, overrides: cur.overrides }, after: { version: Number(rows[0].id), overrides: next, changes: d, ...extra }, reason });
      return { version: Number(rows[0].id), applies_at: appliesAt(), changes: d };
    });
  }

  const Saved = obj({ version: { type: "integer" }, applies_at: Timestamp, changes: DiffSchema }, ["version", "applies_at", "changes"]);

  app.get("/api/thresholds", { schema: { tags: ["thresholds"], summary: "Effective rule parameters with factory values; version in force; when a change would apply", querystring: NoQuery, response: { 200: State, ...errors } } }, state);

  app.post<{ Body: { changes: Changes } }>(
    "/api/thresholds/preview",
    {
      config: engineer,
      schema: {
        tags: ["thresholds"],
        summary: "Diff and module validation of proposed changes (null = back to factory); nothing is saved",
        body: obj({ changes: changeSchema(factory0, true) }, ["changes"]),
        response: { 200: obj({ valid: { type: "boolean" }, reason: { type: ["string", "null"] }, changes: DiffSchema, applies_at: Timestamp }, ["valid", "reason", "changes", "applies_at"]), ...errors },
      },
    },
    async (req) => {
      const factory = factoryNow();
      const cur = await currentVersion(app.db);
      const next = normalise(factory, apply(cur.overrides, req.body.changes));
      const reason = await validate(app.cfg.wasmPath, merge(factory, next));
      return { valid: !reason, reason: reason ?? null, changes: diff(factory, merge(factory, cur.overrides), merge(factory, next)), applies_at: appliesAt() };
    },
  );

  app.put<{ Body: { changes: Changes; reason: string } }>(
    "/api/thresholds",
    {
      config: engineer,
      schema: {
        tags: ["thresholds"],
        summary: "Change parameters (null = back to factory) with a reason; refused with the module's reason when invalid; applies at the next predict run",
        body: obj({ changes: changeSchema(factory0, true), reason: Reason }, ["changes", "reason"]),
        response: { 200: Saved, ...errors },
      },
    },
    async (req) => {
      const cur = await currentVersion(app.db);
      const next = apply(cur.overrides, req.body.changes);
      if (!diff(factoryNow(), merge(factoryNow(), cur.overrides), merge(factoryNow(), next)).length) throw badRequest("no change");
      return save(req.user!.name, "set", req.body.reason, next);
    },
  );

  app.post<{ Body: { group?: string; name?: string; reason: string } }>(
    "/api/thresholds/reset",
    {
      config: engineer,
      schema: {
        tags: ["thresholds"],
        summary: "Reset one parameter (group + name), one group, or everything (neither) to the factory values",
        body: obj({ group: { type: "string", pattern: "^[a-z0-9_]{1,40}$" }, name: { type: "string", pattern: "^[a-z0-9_]{1,60}$" }, reason: Reason }, ["reason"]),
        response: { 200: Saved, ...errors },
      },
    },
    async (req) => {
      const { group, name } = req.body;
      if (name && !group) throw badRequest("name needs group");
      const cur = await currentVersion(app.db);
      const next: Params = JSON.parse(JSON.stringify(cur.overrides));
      if (!group) for (const g of Object.keys(next)) delete next[g];
      else if (!name) delete next[group];
      else if (next[group]) delete next[group][name];
      return save(req.user!.name, "reset", req.body.reason, next, { scope: { group: group ?? null, name: name ?? null } });
    },
  );

  app.get<{ Querystring: { limit: number } }>(
    "/api/thresholds/history",
    {
      schema: {
        tags: ["thresholds"],
        summary: "Versions of the override set, newest first (version 0 = factory)",
        querystring: obj({ limit: { type: "integer", minimum: 1, maximum: 500, default: 100 } }),
        response: {
          200: obj(
            {
              items: {
                type: "array",
                items: obj({ version: { type: "integer" }, created_at: Timestamp, created_by: { type: "string" }, action: { type: "string" }, reason: { type: "string" }, overrides: { type: "object", additionalProperties: true } }, ["version", "created_at", "created_by", "action", "reason", "overrides"]),
              },
            },
            ["items"],
          ),
          ...errors,
        },
      },
    },
    async (req) => {
      const { rows } = await app.db.query("SELECT id AS version, created_at, created_by, action, reason, overrides FROM console_threshold_version ORDER BY id DESC LIMIT $1", [req.query.limit]);
      return { items: rows };
    },
  );

  app.post<{ Body: { version: number; reason: string } }>(
    "/api/thresholds/rollback",
    {
      config: engineer,
      schema: {
        tags: ["thresholds"],
        summary: "Make an earlier version's override set the current one again (0 = factory); recorded as a new version",
        body: obj({ version: { type: "integer", minimum: 0, maximum: 9007199254740991 }, reason: Reason }, ["version", "reason"]),
        response: { 200: Saved, ...errors },
      },
    },
    async (req) => {
      let overrides: Params = {};
      if (req.body.version > 0) {
        const { rows } = await app.db.query("SELECT overrides FROM console_threshold_version WHERE id = $1", [req.body.version]);
        if (!rows[0]) throw notFound(`no version ${req.body.version}`);
        overrides = rows[0].overrides;
      }
      return save(req.user!.name, "rollback", req.body.reason, overrides, { rolled_back_to: req.body.version });
    },
  );

  app.post<{ Body: { changes: Changes; days: number; dvc_no?: string } }>(
    "/api/thresholds/backtest",
    {
      config: engineer,
      schema: {
        tags: ["thresholds"],
        summary: "How many episodes the current and the proposed parameters would have raised over the last N days, from stored data (sampled run times, at most 96 runs)",
        body: obj({ changes: changeSchema(factory0, true), days: { type: "integer", minimum: 1, maximum: 7 }, dvc_no: { type: "string", pattern: "^[0-9]{3,12}$" } }, ["changes", "days"]),
        response: {
          200: obj(
            {
              runs: { type: "integer" },
              step_s: { type: "integer" },
              devices: { type: "integer" },
              current: obj({ episodes: { type: "integer" }, by_rule: { type: "object", additionalProperties: { type: "integer" } } }, ["episodes", "by_rule"]),
              proposed: obj({ episodes: { type: "integer" }, by_rule: { type: "object", additionalProperties: { type: "integer" } } }, ["episodes", "by_rule"]),
            },
            ["runs", "step_s", "devices", "current", "proposed"],
          ),
          ...errors,
        },
      },
    },
    async (req) => {
      const factory = factoryNow();
      const cur = await currentVersion(app.db);
      const curP = merge(factory, cur.overrides);
      const newP = merge(factory, normalise(factory, apply(cur.overrides, req.body.changes)));
      const reason = await validate(app.cfg.wasmPath, newP);
      if (reason) throw new HttpError(400, "invalid_thresholds", reason);
      const spanS = req.body.days * 86400;
      const runs = Math.min(96, Math.floor(spanS / (app.cfg.predictIntervalMs / 1000)));
      const step = Math.floor(spanS / runs);
      const now = Date.now();
      const prev = { cur: new Map<string, Set<string>>(), new: new Map<string, Set<string>>() };
      const count = { cur: { episodes: 0, by_rule: {} as Record<string, number> }, new: { episodes: 0, by_rule: {} as Record<string, number> } };
      const devices = new Set<string>();
      const deadline = Date.now() + 60_000;
      for (let i = runs - 1; i >= 0 && Date.now() < deadline; i--) {
        const runAt = new Date(now - i * step * 1000);
        const { rows } = await app.db.query<{ msg_calc_dvc_no: string; predict_input: string }>(
          "SELECT msg_calc_dvc_no, predict_input FROM nb67_predict_input($1, $2::timestamptz, make_interval(secs => $3)) WHERE $4::text IS NULL OR msg_calc_dvc_no = $4",
          [app.cfg.devMode, runAt.toISOString(), app.cfg.predictIntervalMs / 1000, req.body.dvc_no ?? null],
        );
        for (const r of rows) {
          devices.add(r.msg_calc_dvc_no);
          for (const [k, p] of [["cur", curP], ["new", newP]] as const) {
            const fired = new Set((await evaluate(app.cfg.wasmPath, r.predict_input, p)).fired);
            const before = prev[k].get(r.msg_calc_dvc_no) ?? new Set();
            for (const f of fired) if (!before.has(f)) {
              count[k].episodes++;
              count[k].by_rule[f] = (count[k].by_rule[f] ?? 0) + 1;
            }
            prev[k].set(r.msg_calc_dvc_no, fired);
          }
        }
      }
      return { runs, step_s: step, devices: devices.size, current: count.cur, proposed: count.new };
    },
  );
}
