// Episode history: filters in the URL, statistics for the range, paging, a streamed CSV export of
// exactly the filtered set, and the detail of one episode.
import { useState } from "preact/hooks";
import { qs } from "../../api/client.ts";
import { toEpisode } from "../../api/model.ts";
import { EPISODE_EXPORT_PATH, EPISODE_STATS_PATH, EPISODES_PATH, RELIABILITY_PATH } from "../../api/paths.ts";
import { fmtDuration, fmtNum, fmtTime, t } from "../../i18n/index.ts";
import { href, route, setQuery } from "../../router.ts";
import { iso, rangeFrom } from "../../shared/range.ts";
import { useApi } from "../../shared/useApi.ts";
import { ErrorText, Field, Loading } from "../../shared/ui.tsx";
import { EpisodeDetail } from "./EpisodeDetail.tsx";

const PAGE = 50;
const FILTERS = ["train", "carriage", "unit", "code", "kind", "state"] as const;

interface StatRow {
  code?: string | null;
  train_no?: string | null;
  month?: string | null;
  alarms: number;
  warnings: number;
  total: number;
}
interface Stats {
  by_code?: StatRow[];
  by_train?: StatRow[];
  by_month?: StatRow[];
  total?: number;
  shelved?: number;
}

/** URL filters -> the service's query (train -> train_no; state "shelved" is a flag of its own). */
export function episodeQuery(f: Record<string, string>, from: string, to: string): Record<string, string> {
  const q: Record<string, string> = { from, to };
  if (f.train) q.train_no = f.train;
  for (const k of ["carriage", "unit", "code", "kind"]) if (f[k]) q[k] = f[k]!;
  if (f.state === "shelved") q.shelved = "true";
  else if (f.state) q.state = f.state;
  return q;
}

function StatTable({ rows, head, k, testid }: { rows: StatRow[]; head: string; k: "code" | "train_no" | "month"; testid: string }) {
  return (
    <table data-testid={testid}>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col" class="num">{t("kind.alarm")}</th>
          <th scope="col" class="num">{t("kind.warning")}</th>
          <th scope="col" class="num">{t("ep.count")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, 15).map((r) => (
          <tr key={String(r[k])}>
            <td>{r[k] ?? "–"}</td>
            <td class="num">{r.alarms}</td>
            <td class="num">{r.warnings}</td>
            <td class="num">{r.total}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function EpisodesPage() {
  const r = route.value;
  if (r.parts[0]) return <EpisodeDetail id={r.parts[0]} />;
  const range = rangeFrom(r, "30d");
  const f = Object.fromEntries(FILTERS.map((k) => [k, r.query.get(k) ?? ""]));
  const page = Number(r.query.get("page") ?? 0);
  const filter = episodeQuery(f, iso(range.from), iso(range.to));
  const list = useApi<{ items?: unknown[]; total?: number }>(`${EPISODES_PATH}${qs({ ...filter, limit: PAGE, offset: page * PAGE })}`);
  const stats = useApi<Stats>(`${EPISODE_STATS_PATH}${qs(filter)}`);
  const rel = useApi<{ items: { key: string; episodes: number; cleared: number; mtbf_h: number | null; mttr_h: number | null }[] }>(
    `${RELIABILITY_PATH}${qs({ from: filter.from, to: filter.to, by: "code", kind: filter.kind, train_no: filter.train_no })}`,
  );
  const [draft, setDraft] = useState<Record<string, string>>({});
  const val = (k: string) => draft[k] ?? f[k] ?? "";
  const rows = (list.data?.items ?? []).map((x) => toEpisode(x as Record<string, unknown>));
  const total = list.data?.total ?? rows.length;
  const dateVal = (sec: number) => new Date(sec * 1000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const apply = (e: Event) => {
    e.preventDefault();
    const from = draft.from ? Date.parse(draft.from) / 1000 : range.from;
    const to = draft.to ? Date.parse(draft.to) / 1000 : range.to;
    const { from: _f, to: _t, ...rest } = draft;
    setQuery({ ...f, ...rest, from, to, range: undefined, page: undefined });
    setDraft({});
  };
  return (
    <>
      <h1>{t("ep.title")}</h1>
      <form class="row card" onSubmit={apply} aria-label={t("ep.filters")}>
        {(["train", "carriage", "unit", "code"] as const).map((k) => (
          <Field key={k} label={t(`ep.f.${k}`)}>
            <input name={k} value={val(k)} size={8} inputMode={k === "code" ? "text" : "numeric"} onInput={(e) => setDraft({ ...draft, [k]: e.currentTarget.value })} />
          </Field>
        ))}
        <Field label={t("ep.f.kind")}>
          <select name="kind" value={val("kind")} onChange={(e) => setDraft({ ...draft, kind: e.currentTarget.value })}>
            <option value="">{t("common.all")}</option>
            <option value="alarm">{t("kind.alarm")}</option>
            <option value="warning">{t("kind.warning")}</option>
          </select>
        </Field>
        <Field label={t("ep.f.state")}>
          <select name="state" value={val("state")} onChange={(e) => setDraft({ ...draft, state: e.currentTarget.value })}>
            <option value="">{t("common.all")}</option>
            <option value="active">{t("ep.active")}</option>
            <option value="closed">{t("ep.closed")}</option>
            <option value="shelved">{t("status.shelved")}</option>
          </select>
        </Field>
        <Field label={t("ep.f.from")}>
          <input type="datetime-local" name="from" value={draft.from ?? dateVal(range.from)} onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />
        </Field>
        <Field label={t("ep.f.to")}>
          <input type="datetime-local" name="to" value={draft.to ?? dateVal(range.to)} onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} />
        </Field>
        <button class="primary" type="submit">
          {t("ep.apply")}
        </button>
        <a class="button" data-testid="export" href={`${EPISODE_EXPORT_PATH}${qs(filter)}`} download>
          {t("ep.export")}
        </a>
      </form>

      <section aria-labelledby="stats-h">
        <h2 id="stats-h">{t("ep.stats", { n: stats.data?.total ?? "–", s: stats.data?.shelved ?? "–" })}</h2>
        <ErrorText error={stats.error} />
        <div class="grid2">
          <StatTable rows={stats.data?.by_code ?? []} head={t("ep.code")} k="code" testid="stats-code" />
          <StatTable rows={stats.data?.by_train ?? []} head={t("common.train")} k="train_no" testid="stats-train" />
          <StatTable rows={stats.data?.by_month ?? []} head={t("ep.month")} k="month" testid="stats-month" />
        </div>
      </section>

      <section aria-labelledby="rel-h">
        <h2 id="rel-h">{t("ep.reliability")}</h2>
        <ErrorText error={rel.error} />
        <div class="table-wrap">
          <table data-testid="reliability">
            <thead>
              <tr>
                <th scope="col">{t("ep.code")}</th>
                <th scope="col" class="num">{t("ep.count")}</th>
                <th scope="col" class="num">{t("ep.cleared")}</th>
                <th scope="col" class="num">{t("ep.mtbf")}</th>
                <th scope="col" class="num">{t("ep.mttr")}</th>
              </tr>
            </thead>
            <tbody>
              {(rel.data?.items ?? []).slice(0, 20).map((r) => (
                <tr key={r.key}>
                  <td>{r.key}</td>
                  <td class="num">{r.episodes}</td>
                  <td class="num">{r.cleared}</td>
                  <td class="num">{fmtNum(r.mtbf_h, 1)}</td>
                  <td class="num">{fmtNum(r.mttr_h, 2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="list-h">
        <h2 id="list-h">{t("ep.list", { n: total })}</h2>
        <Loading when={list.loading} />
        <ErrorText error={list.error} />
        <div class="table-wrap">
          <table data-testid="episodes" data-total={total}>
            <thead>
              <tr>
                <th scope="col">{t("ep.kind")}</th>
                <th scope="col">{t("ep.code")}</th>
                <th scope="col">{t("ep.description")}</th>
                <th scope="col">{t("ep.where")}</th>
                <th scope="col">{t("ep.stations")}</th>
                <th scope="col">{t("ep.start")}</th>
                <th scope="col">{t("ep.end")}</th>
                <th scope="col" class="num">{t("ep.duration")}</th>
                <th scope="col">{t("ep.state")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id}>
                  <td>{t(`kind.${e.kind}`)}</td>
                  <td>
                    <a href={href("episodes", [e.id])}>{e.code}</a>
                  </td>
                  <td>
                    {e.description}
                    {e.location ? <span class="muted"> · {e.location}</span> : null}
                  </td>
                  <td>{(e.unit ? t("fleet.where", { train: e.train, car: e.carriage, unit: e.unit }) : t("fleet.whereCar", { train: e.train, car: e.carriage }))}</td>
                  <td>{e.stations || "–"}</td>
                  <td>{fmtTime(e.start)}</td>
                  <td>{e.end ? fmtTime(e.end) : t("ep.active")}</td>
                  <td class="num">{fmtDuration(e.durationS)}</td>
                  <td>{e.shelved ? t("status.shelved") : e.end ? t("ep.closed") : e.acknowledged ? t("ep.acknowledged") : t("ep.active")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <nav class="row" aria-label={t("ep.paging")}>
          <button type="button" disabled={page === 0} onClick={() => setQuery({ page: page - 1 || undefined })}>
            {t("ep.prev")}
          </button>
          <span>{t("ep.page", { p: page + 1, n: Math.max(1, Math.ceil(total / PAGE)) })}</span>
          <button type="button" disabled={(page + 1) * PAGE >= total} onClick={() => setQuery({ page: page + 1 })}>
            {t("ep.next")}
          </button>
        </nav>
      </section>
    </>
  );
}
