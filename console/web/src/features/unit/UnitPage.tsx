import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { get, qs } from "../../api/client.ts";
import { devicePath, FIELDS_PATH, healthPath, RAW_EXPORT_PATH, TREND_PATH } from "../../api/paths.ts";
import { fmtDuration, fmtNum, fmtTime, t, tx } from "../../i18n/index.ts";
import { href, navigate, route, setQuery } from "../../router.ts";
import { Chart } from "../../shared/Chart.tsx";
import { PRESETS, rangeFrom, iso } from "../../shared/range.ts";
import { useApi } from "../../shared/useApi.ts";
import { ErrorText, Loading, StatusBadge } from "../../shared/ui.tsx";
import { devices, liveValues, startFleet, trains } from "../fleet/store.ts";
import { Schematic, type Latest } from "./Schematic.tsx";
import { toTrend, type Trend } from "./trend.ts";

interface FieldValue {
  id: string;
  value: number | boolean | null;
  unit: string | null;
  group: string;
  unit_no: number;
}
interface FieldDoc {
  id: string;
  unit: string | null;
  doc: string;
  unit_no: number;
  group: string;
  rollup: boolean;
}
interface DeviceInfo {
  fields?: FieldValue[];
  live_fault_names?: { source: string; code: string | null; location: string | null; fault_name: string | null }[];
}
export interface ComponentHealth {
  id: string;
  name: string;
  counter: string;
  used: number | null;
  rated: number;
  unit: "hours" | "actions";
  pct: number | null;
  band: "healthy" | "watch" | "replace" | null;
  rate_per_day: number | null;
  projected_date: string | null;
}
export interface HealthAnswer {
  devices: { dvc_no: string; components: ComponentHealth[] }[];
}
/** Unit of a component from its counter (…_u1, …_u11, …_u12 -> 1); 0 = the carriage. */
export const counterUnit = (counter: string) => Number(/_u([12])\d?$/.exec(counter)?.[1] ?? 0);

export const defaultFields = (unit: number) => [`ras_u${unit}`, `sas_u${unit}1`, `sas_u${unit}2`, `fas_u${unit}`];

const HIDDEN = new Set(["identity", "time", "station"]);
/** Fields of unit u or of the whole carriage (unit_no 0), without frame identity and clock. */
export function unitFields(all: { id: string; unit_no: number; group: string }[], unit: number): string[] {
  return all.filter((f) => (f.unit_no === 0 || f.unit_no === unit) && !HIDDEN.has(f.group)).map((f) => f.id);
}

export function UnitPage() {
  useEffect(startFleet, []);
  const r = route.value;
  const train = r.parts[0] ?? trains.value[0]?.[0] ?? "";
  const car = Number(r.parts[1] ?? 1);
  const unit = Number(r.parts[2] ?? 1) === 2 ? 2 : 1;
  const dev = [...devices.value.values()].find((d) => d.train === train && d.carriage === car);
  const range = rangeFrom(r, "1d");
  const fields = (r.query.get("fields") ?? defaultFields(unit).join(",")).split(",").filter(Boolean);

  const info = useApi<DeviceInfo>(dev ? devicePath(dev.device) : null);
  const docs = useApi<{ fields: FieldDoc[] }>(FIELDS_PATH);
  const health = useApi<HealthAnswer>(dev ? healthPath(dev.device) : null);
  const trendPath = dev
    ? `${TREND_PATH}${qs({ dvc_no: dev.device, fields: fields.join(","), from: iso(range.from), to: iso(range.to) })}`
    : null;
  const trendRaw = useApi<Record<string, unknown>>(trendPath);
  const trend: Trend | undefined = useMemo(() => (trendRaw.data ? toTrend(trendRaw.data, fields) : undefined), [trendRaw.data]);

  const [latest, setLatest] = useState<Latest>({});
  useEffect(() => {
    const d = info.data;
    if (!d) return;
    const l: Latest = {};
    for (const f of d.fields ?? []) l[f.id] = typeof f.value === "boolean" ? Number(f.value) : f.value;
    setLatest(l);
  }, [info.data]);
  // Live: the feed carries a few values per frame; the full field list is fetched again when new
  // frames arrive, at most every 10 s (event-driven, never a timer).
  const lv = dev ? liveValues.value.get(dev.device) : undefined;
  useEffect(() => {
    if (lv) setLatest((old) => ({ ...old, ...lv }));
  }, [lv]);
  const lastFetch = useRef(Date.now());
  useEffect(() => {
    if (!dev || Date.now() - lastFetch.current < 10_000) return;
    lastFetch.current = Date.now();
    info.reload();
  }, [dev?.lastSeen]);

  const fieldDocs = docs.data?.fields ?? [];
  const choices = unitFields(fieldDocs.filter((f) => f.group !== "fault" && f.group !== "feedback"), unit);
  const fieldMeta = new Map(fieldDocs.map((f) => [f.id, { label: f.doc || undefined, unit: f.unit ?? undefined }]));
  const go = (tr: string, c: number, u: number) => navigate(href("unit", [tr, c, u], Object.fromEntries(r.query.entries())));
  const carriages = trains.value.find(([tr]) => tr === train)?.[1] ?? [];
  const hList = (health.data?.devices[0]?.components ?? []).filter((h) => counterUnit(h.counter) === 0 || counterUnit(h.counter) === unit);

  return (
    <>
      <h1>{t("unit.title", { train, car, unit })}</h1>
      <div class="row" role="group" aria-label={t("unit.pick")}>
        <label class="field">
          <span>{t("common.train")}</span>
          <select value={train} onChange={(e) => go(e.currentTarget.value, car, unit)}>
            {trains.value.map(([tr]) => (
              <option key={tr} value={tr}>
                {tr}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t("common.carriage")}</span>
          <select value={car} onChange={(e) => go(train, Number(e.currentTarget.value), unit)}>
            {carriages.map((d) => (
              <option key={d.carriage} value={d.carriage}>
                {d.carriage}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t("common.unit")}</span>
          <select value={unit} onChange={(e) => go(train, car, Number(e.currentTarget.value))}>
            <option value={1}>1</option>
            <option value={2}>2</option>
          </select>
        </label>
        {dev ? <StatusBadge status={dev.status} /> : null}
        {dev ? <span class="muted">{t("unit.lastSeen", { at: fmtTime(dev.lastSeen) })}</span> : null}
      </div>
      {!dev && devices.value.size > 0 ? <p class="error">{t("unit.unknown")}</p> : null}
      <ErrorText error={info.error} />
      {info.data?.live_fault_names?.length ? (
        <ul class="card" aria-label={t("unit.liveFaults")}>
          {info.data.live_fault_names.map((f) => (
            <li key={f.source}>
              <span class="badge" data-status="alarm">{f.code ?? f.source}</span> {f.fault_name ?? f.source} {f.location ? <span class="muted">· {f.location}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <Schematic latest={latest} unit={unit} />

      <section aria-labelledby="trend-h">
        <h2 id="trend-h">{t("unit.trends")}</h2>
        <div class="row">
          <div role="group" aria-label={t("unit.range")}>
            {Object.keys(PRESETS).map((p) => (
              <button key={p} type="button" aria-pressed={range.preset === p} data-range={p} onClick={() => setQuery({ range: p, from: undefined, to: undefined })}>
                {tx(`range.${p}`, p)}
              </button>
            ))}
          </div>
          <label class="field">
            <span>{t("unit.addField")}</span>
            <select
              value=""
              onChange={(e) => {
                const f = e.currentTarget.value;
                if (f && !fields.includes(f)) setQuery({ fields: [...fields, f].join(",") });
              }}
            >
              <option value="">{t("unit.chooseField")}</option>
              {choices.filter((f) => !fields.includes(f)).map((f) => (
                <option key={f} value={f}>
                  {fieldMeta.get(f)?.label ?? f}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ul class="row" aria-label={t("unit.shownFields")} style="list-style:none;padding:0">
          {fields.map((f) => (
            <li key={f}>
              <button type="button" onClick={() => setQuery({ fields: fields.filter((x) => x !== f).join(",") })} title={t("unit.removeField", { f })}>
                {f} <span aria-hidden="true">✕</span>
                <span class="sr-only">{t("unit.remove")}</span>
              </button>
            </li>
          ))}
        </ul>
        <p class="muted" data-testid="resolution" data-resolution={trend?.resolution ?? ""} data-step={trend?.step ?? ""} aria-live="polite">
          {t("unit.rangeInfo", { from: fmtTime(range.from * 1000), to: fmtTime(range.to * 1000), res: tx(`res.${trend?.resolution ?? ""}`, trend?.resolution ?? "–"), step: fmtDuration(trend?.step ?? null), n: trend?.data[0]?.length ?? 0 })}
          {" · "}
          {t("unit.zoomHint")}
        </p>
        {dev ? (
          <p>
            <a class="button" data-testid="raw-export" href={`${RAW_EXPORT_PATH}${qs({ dvc_no: dev.device, from: iso(range.from), to: iso(range.to) })}`} download>
              {t("unit.rawExport")}
            </a>
          </p>
        ) : null}
        <Loading when={trendRaw.loading} />
        <ErrorText error={trendRaw.error} />
        {trend ? (
          <Chart
            data={trend.data}
            names={trend.names.map((f) => `${fieldMeta.get(f)?.label ?? f}${fieldMeta.get(f)?.unit ? ` (${fieldMeta.get(f)!.unit})` : ""}`)}
            overlays={trend.episodes}
            label={t("unit.chartLabel", { fields: fields.join(", ") })}
            onZoom={(from, to) => setQuery({ from, to, range: undefined })}
          />
        ) : null}
      </section>

      <section aria-labelledby="health-h">
        <h2 id="health-h">{t("unit.health")}</h2>
        <ErrorText error={health.error} />
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("health.component")}</th>
                <th scope="col" class="num">{t("health.value")}</th>
                <th scope="col" class="num">{t("health.rated")}</th>
                <th scope="col" class="num">{t("health.used")}</th>
                <th scope="col">{t("health.band")}</th>
                <th scope="col">{t("health.projected")}</th>
              </tr>
            </thead>
            <tbody>
              {hList.map((h) => (
                <tr key={h.id}>
                  <td>
                    {h.name} <code class="muted">{h.counter}</code>
                  </td>
                  <td class="num">
                    {fmtNum(h.used, 0)} {t(`health.${h.unit}`)}
                  </td>
                  <td class="num">{fmtNum(h.rated, 0)}</td>
                  <td class="num">{h.pct === null ? "–" : `${fmtNum(h.pct, 1)} %`}</td>
                  <td>{h.band ? <StatusBadge status={h.band} /> : "–"}</td>
                  <td>{h.projected_date ?? "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="latest-h">
        <h2 id="latest-h">{t("unit.latest")}</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("unit.field")}</th>
                <th scope="col" class="num">{t("unit.value")}</th>
                <th scope="col">{t("unit.unitOfMeasure")}</th>
              </tr>
            </thead>
            <tbody>
              {unitFields(info.data?.fields ?? [], unit).map((f) => (
                <tr key={f}>
                  <td>
                    <code>{f}</code> {fieldMeta.get(f)?.label ? <span class="muted">{fieldMeta.get(f)!.label}</span> : null}
                  </td>
                  <td class="num">{typeof latest[f] === "number" ? fmtNum(latest[f] as number, 2) : String(latest[f] ?? "–")}</td>
                  <td>{fieldMeta.get(f)?.unit ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
