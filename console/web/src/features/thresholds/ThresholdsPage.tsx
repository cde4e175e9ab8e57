// Thresholds: effective values beside factory defaults. Engineers edit, see the diff, give a
// reason, apply (the next predict run uses them), backtest, browse history and roll back.
// Viewers get the same tables without any edit control.
import { useState } from "preact/hooks";
import { ApiError, post, put, session } from "../../api/client.ts";
import {
  THRESHOLDS_BACKTEST_PATH,
  THRESHOLDS_HISTORY_PATH,
  THRESHOLDS_PATH,
  THRESHOLDS_PREVIEW_PATH,
  THRESHOLDS_ROLLBACK_PATH,
} from "../../api/paths.ts";
import { fmtTime, t, tx } from "../../i18n/index.ts";
import { route, setQuery } from "../../router.ts";
import { useApi } from "../../shared/useApi.ts";
import { ErrorText, Field, Loading, Modal } from "../../shared/ui.tsx";
import { diff, flatten, parseValue, same, show, type Change, type Flat, type Value } from "./flatten.ts";

interface ThresholdSet {
  version: number;
  updated_at: string | null;
  updated_by: string | null;
  applies_at: string;
  params: { group: string; name: string; factory: Value; value: Value; overridden: boolean }[];
}
interface Backtest {
  runs: number;
  step_s: number;
  devices: number;
  current: { episodes: number; by_rule: Record<string, number> };
  proposed: { episodes: number; by_rule: Record<string, number> };
}
/** The service's diff entry: {group, name, factory, before, after}. */
interface ServerDiff {
  group?: string;
  name?: string;
  key?: string;
  before?: Value;
  after?: Value;
  from?: Value;
  to?: Value;
}
const fromServer = (d: ServerDiff): Change => ({ key: d.key ?? `${d.group}.${d.name}`, from: d.before ?? d.from, to: (d.after ?? d.to)! });

interface HistoryEntry {
  version: number;
  created_at: string;
  created_by: string;
  action: string;
  reason: string;
  overrides: Record<string, Record<string, Value>>;
}

/** Proposed values -> the service's change set; a value equal to the factory one removes the override. */
function toChanges(changes: Change[], factory: Flat): Record<string, Record<string, Value | null>> {
  const out: Record<string, Record<string, Value | null>> = {};
  for (const c of changes) {
    const i = c.key.indexOf(".");
    (out[c.key.slice(0, i)] ??= {})[c.key.slice(i + 1)] = same(c.to, factory[c.key]) ? null : c.to;
  }
  return out;
}

export function ThresholdsPage() {
  const canEdit = session.value?.role === "engineer" || session.value?.role === "admin";
  const rule = route.value.query.get("rule") ?? "";
  const set = useApi<ThresholdSet>(THRESHOLDS_PATH);
  const history = useApi<{ items: HistoryEntry[] }>(THRESHOLDS_HISTORY_PATH);
  const params = set.data?.params ?? [];
  const effective: Flat = Object.fromEntries(params.map((p) => [`${p.group}.${p.name}`, p.value]));
  const factory: Flat = Object.fromEntries(params.map((p) => [`${p.group}.${p.name}`, p.factory]));
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<Change[] | null>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState("");
  const [days, setDays] = useState(7);
  const [backtest, setBacktest] = useState<Backtest | null>(null);

  const proposed: Flat = { ...effective };
  for (const [k, text] of Object.entries(draft)) proposed[k] = parseValue(text, effective[k]);
  const changes = diff(effective, proposed);
  const rules = [...new Set(Object.keys(effective).map((k) => k.split(".")[0]!))];
  const keys = Object.keys(effective).filter((k) => !rule || k.startsWith(`${rule}.`));
  const hist = history.data?.items ?? [];

  const openPreview = async () => {
    setError(null);
    try {
      const r = await post<{ valid: boolean; reason: string | null; changes: ServerDiff[] }>(THRESHOLDS_PREVIEW_PATH, { changes: toChanges(changes, factory) });
      if (!r.valid) {
        setError(new ApiError(400, "invalid_thresholds", r.reason ?? ""));
        return;
      }
      setPreview(r.changes.map(fromServer));
    } catch (e) {
      const err = e as ApiError;
      if (err.status === 404) setPreview(changes); // no server preview: the local diff is the same
      else setError(err);
    }
  };
  const apply = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await put<{ applies_at: string; version: number }>(THRESHOLDS_PATH, { changes: toChanges(changes, factory), reason });
      setPreview(null);
      setDraft({});
      setReason("");
      setDone(t("th.applied", { v: r.version, at: fmtTime(r.applies_at) }));
      set.reload();
      history.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const runBacktest = async () => {
    setError(null);
    try {
      setBacktest(await post<Backtest>(THRESHOLDS_BACKTEST_PATH, { changes: toChanges(changes, factory), days }));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const rollback = async (version: number) => {
    const why = window.prompt(t("th.rollbackReason", { v: version }));
    if (!why) return;
    try {
      await post(THRESHOLDS_ROLLBACK_PATH, { version, reason: why });
      setDone(t("th.rolledBack", { v: version }));
      set.reload();
      history.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };

  return (
    <>
      <h1>{t("th.title")}</h1>
      <p class="muted">{canEdit ? t("th.introEdit") : t("th.introView")}</p>
      {set.data ? (
        <p class="muted">
          {t("th.version", { v: set.data.version, by: set.data.updated_by ?? "–", at: fmtTime(set.data.updated_at) })}
        </p>
      ) : null}
      {done ? (
        <p class="ok" role="status">
          {done}
        </p>
      ) : null}
      <ErrorText error={error} />
      <Loading when={set.loading} />
      <ErrorText error={set.error} />
      <div class="row">
        <Field label={t("th.rule")}>
          <select value={rule} onChange={(e) => setQuery({ rule: e.currentTarget.value })}>
            <option value="">{t("common.all")}</option>
            {rules.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div class="table-wrap">
        <table data-testid="thresholds">
          <thead>
            <tr>
              <th scope="col">{t("th.param")}</th>
              <th scope="col" class="num">{t("th.effective")}</th>
              <th scope="col" class="num">{t("th.factory")}</th>
              {canEdit ? <th scope="col">{t("th.new")}</th> : null}
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k} data-key={k}>
                <th scope="row">
                  <code>{k}</code>
                </th>
                <td class="num">
                  {show(effective[k])} {!same(effective[k], factory[k]) ? <span class="badge" data-status="warning">{t("th.overridden")}</span> : null}
                </td>
                <td class="num">{show(factory[k])}</td>
                {canEdit ? (
                  <td>
                    <input
                      name={k}
                      aria-label={t("th.newFor", { k })}
                      value={draft[k] ?? show(effective[k])}
                      size={10}
                      onInput={(e) => setDraft({ ...draft, [k]: e.currentTarget.value })}
                    />
                    {!same(effective[k], factory[k]) ? (
                      <button type="button" onClick={() => setDraft({ ...draft, [k]: show(factory[k]) })}>
                        {t("th.reset")}
                        <span class="sr-only"> {k}</span>
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canEdit ? (
        <div class="row card" style="margin-top:12px">
          <button class="primary" type="button" data-testid="preview" disabled={changes.length === 0} onClick={openPreview}>
            {t("th.preview", { n: changes.length })}
          </button>
          <button
            type="button"
            onClick={() => setDraft(Object.fromEntries(Object.keys(factory).filter((k) => !same(effective[k], factory[k])).map((k) => [k, show(factory[k])])))}
          >
            {t("th.resetAll")}
          </button>
          <button type="button" disabled={changes.length === 0} onClick={() => setDraft({})}>
            {t("th.discard")}
          </button>
          <Field label={t("th.days")}>
            <input type="number" min={1} max={7} value={days} onInput={(e) => setDays(Number(e.currentTarget.value))} />
          </Field>
          <button type="button" onClick={runBacktest}>
            {t("th.backtest")}
          </button>
        </div>
      ) : null}
      {backtest ? (
        <section class="card" aria-labelledby="bt-h" data-testid="backtest">
          <h2 id="bt-h">{t("th.backtestResult", { d: days })}</h2>
          <p>{t("th.backtestSummary", { runs: backtest.runs, devices: backtest.devices, cur: backtest.current.episodes, prop: backtest.proposed.episodes })}</p>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("th.rule")}</th>
                <th scope="col" class="num">{t("th.current")}</th>
                <th scope="col" class="num">{t("th.proposed")}</th>
              </tr>
            </thead>
            <tbody>
              {[...new Set([...Object.keys(backtest.current.by_rule), ...Object.keys(backtest.proposed.by_rule)])].sort().map((r) => (
                <tr key={r}>
                  <th scope="row">
                    <code>{r}</code>
                  </th>
                  <td class="num">{backtest.current.by_rule[r] ?? 0}</td>
                  <td class="num">{backtest.proposed.by_rule[r] ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <Modal open={preview !== null} title={t("th.diffTitle")} onClose={() => setPreview(null)}>
        <form onSubmit={apply}>
          <table class="diff" data-testid="diff">
            <thead>
              <tr>
                <th scope="col">{t("th.param")}</th>
                <th scope="col">{t("th.before")}</th>
                <th scope="col">{t("th.after")}</th>
              </tr>
            </thead>
            <tbody>
              {(preview ?? []).map((c) => (
                <tr key={c.key}>
                  <th scope="row">
                    <code>{c.key}</code>
                  </th>
                  <td class="old">{show(c.from)}</td>
                  <td class="new">{show(c.to)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Field label={t("th.reason")}>
            <textarea name="reason" required minLength={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </Field>
          <ErrorText error={error} />
          <div class="row">
            <button class="primary" type="submit" data-testid="apply" disabled={reason.trim().length < 3}>
              {t("th.apply")}
            </button>
            <button type="button" onClick={() => setPreview(null)}>
              {t("common.cancel")}
            </button>
          </div>
        </form>
      </Modal>
      <section aria-labelledby="hist-h">
        <h2 id="hist-h">{t("th.history")}</h2>
        <ErrorText error={history.error} />
        <div class="table-wrap">
          <table data-testid="history">
            <thead>
              <tr>
                <th scope="col">{t("th.version.h")}</th>
                <th scope="col">{t("th.when")}</th>
                <th scope="col">{t("th.who")}</th>
                <th scope="col">{t("th.action")}</th>
                <th scope="col">{t("th.reasonH")}</th>
                <th scope="col">{t("th.overrides")}</th>
                {canEdit ? <th scope="col">{t("ep.actions")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {hist.map((h) => (
                <tr key={h.version}>
                  <td>{h.version}</td>
                  <td>{fmtTime(h.created_at)}</td>
                  <td>{h.created_by}</td>
                  <td>{tx(`th.action.${h.action}`, h.action)}</td>
                  <td>{h.reason}</td>
                  <td>
                    {Object.entries(flatten(h.overrides))
                      .map(([k, v]) => `${k} = ${show(v)}`)
                      .join("; ") || t("th.factoryOnly")}
                  </td>
                  {canEdit ? (
                    <td>
                      <button type="button" onClick={() => rollback(h.version)}>
                        {t("th.rollback")}
                        <span class="sr-only"> {t("th.rollbackTo", { v: h.version })}</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
