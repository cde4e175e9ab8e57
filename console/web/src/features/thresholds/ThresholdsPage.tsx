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
import { fmtTime, t } from "../../i18n/index.ts";
import { route, setQuery } from "../../router.ts";
import { useApi } from "../../shared/useApi.ts";
import { ErrorText, Field, Loading, Modal } from "../../shared/ui.tsx";
import { diff, flatten, parseValue, same, show, unflatten, type Change, type Flat } from "./flatten.ts";

interface ThresholdSet {
  effective?: unknown;
  factory?: unknown;
  version?: number | string;
  appliesAt?: string;
}
interface HistoryEntry {
  version: number | string;
  at: string;
  user: string;
  reason: string;
  changes?: Change[] | Record<string, unknown>;
}

export function ThresholdsPage() {
  const canEdit = session.value?.role === "engineer" || session.value?.role === "admin";
  const rule = route.value.query.get("rule") ?? "";
  const set = useApi<ThresholdSet>(THRESHOLDS_PATH);
  const history = useApi<{ entries?: HistoryEntry[]; history?: HistoryEntry[] } | HistoryEntry[]>(THRESHOLDS_HISTORY_PATH);
  const effective = flatten(set.data?.effective);
  const factory = flatten(set.data?.factory);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<Change[] | null>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState("");
  const [days, setDays] = useState(30);
  const [backtest, setBacktest] = useState<Record<string, unknown> | null>(null);

  const proposed: Flat = { ...effective };
  for (const [k, text] of Object.entries(draft)) proposed[k] = parseValue(text, effective[k]);
  const changes = diff(effective, proposed);
  const rules = [...new Set(Object.keys(effective).map((k) => k.split(".")[0]!))];
  const keys = Object.keys(effective).filter((k) => !rule || k.startsWith(`${rule}.`));
  const hist = history.data ? (Array.isArray(history.data) ? history.data : (history.data.entries ?? history.data.history ?? [])) : [];

  const openPreview = async () => {
    setError(null);
    try {
      const r = await post<{ changes?: Change[]; diff?: Change[] }>(THRESHOLDS_PREVIEW_PATH, { values: unflatten(proposed) });
      setPreview(r?.changes ?? r?.diff ?? changes);
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
      const r = await put<{ appliesAt?: string; version?: number }>(THRESHOLDS_PATH, { values: unflatten(proposed), reason });
      setPreview(null);
      setDraft({});
      setReason("");
      setDone(t("th.applied", { at: r?.appliesAt ? fmtTime(r.appliesAt) : t("th.nextRun") }));
      set.reload();
      history.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const runBacktest = async () => {
    setError(null);
    try {
      setBacktest(await post<Record<string, unknown>>(THRESHOLDS_BACKTEST_PATH, { values: unflatten(proposed), days }));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const rollback = async (version: number | string) => {
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
      {set.data?.version !== undefined ? <p class="muted">{t("th.version", { v: set.data.version })}</p> : null}
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
                      <button type="button" onClick={() => setDraft({ ...draft, [k]: show(factory[k]) })} aria-label={t("th.resetOne", { k })}>
                        {t("th.reset")}
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
            <input type="number" min={1} max={365} value={days} onInput={(e) => setDays(Number(e.currentTarget.value))} />
          </Field>
          <button type="button" onClick={runBacktest}>
            {t("th.backtest")}
          </button>
        </div>
      ) : null}
      {backtest ? (
        <section class="card" aria-labelledby="bt-h" data-testid="backtest">
          <h2 id="bt-h">{t("th.backtestResult", { d: days })}</h2>
          <dl>
            {Object.entries(backtest).map(([k, v]) => (
              <div key={k} class="row">
                <dt class="muted">{k}</dt>
                <dd>{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
              </div>
            ))}
          </dl>
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
                <th scope="col">{t("th.reason")}</th>
                <th scope="col">{t("th.changes")}</th>
                {canEdit ? <th scope="col">{t("ep.actions")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {hist.map((h) => (
                <tr key={h.version}>
                  <td>{h.version}</td>
                  <td>{fmtTime(h.at)}</td>
                  <td>{h.user}</td>
                  <td>{h.reason}</td>
                  <td>
                    {Array.isArray(h.changes)
                      ? h.changes.map((c) => `${c.key}: ${show(c.from)} → ${show(c.to)}`).join("; ")
                      : JSON.stringify(h.changes ?? {})}
                  </td>
                  {canEdit ? (
                    <td>
                      <button type="button" onClick={() => rollback(h.version)} aria-label={t("th.rollbackTo", { v: h.version })}>
                        {t("th.rollback")}
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
