import { useEffect } from "preact/hooks";
import { trainHealthPath, trainPath } from "../../api/paths.ts";
import type { HealthAnswer } from "../unit/UnitPage.tsx";
import { fmtNum, fmtTime, t } from "../../i18n/index.ts";
import { href, navigate, route } from "../../router.ts";
import { useApi } from "../../shared/useApi.ts";
import { ErrorText, Loading, StatusBadge } from "../../shared/ui.tsx";
import { EpisodeTable } from "../fleet/FleetPage.tsx";
import { active, startFleet, trains, worst } from "../fleet/store.ts";

type V = number | boolean | null;
interface UnitSummary {
  unit_no: number;
  mode: V;
  compressors: { id: string; running: V; freq_hz: V; current_a: V }[];
  fans: { id: string; running: V; current_a: V }[];
  dampers: { fresh_pos: V; return_pos: V };
  temperatures: { fresh_air: V; return_air: V; supply_1: V; supply_2: V };
  air: { co2: V };
}
interface CarriageInfo {
  state: { dvc_no: string; carriage: number | null };
  summary: { sample_time: string; cabin_temp: V; stations: Record<string, V>; units: UnitSummary[] } | null;
}

const num = (v: unknown) => (v === null || v === undefined || v === "" ? null : Number(v));
const onOff = (v: V | undefined) => (v === null || v === undefined ? "–" : Number(v) > 0 ? t("common.on") : t("common.off"));

export function TrainPage() {
  useEffect(startFleet, []);
  const r = route.value;
  const train = r.parts[0] ?? trains.value[0]?.[0] ?? "";
  const focus = Number(r.query.get("car") ?? 0);
  const list = trains.value.find(([tr]) => tr === train)?.[1] ?? [];
  const detail = useApi<{ carriages?: CarriageInfo[] }>(train ? trainPath(train) : null);
  const info = new Map((detail.data?.carriages ?? []).map((c) => [Number(c.state.carriage), c]));
  const eps = active.value.filter((e) => e.train === train);
  const health = useApi<HealthAnswer>(train ? trainHealthPath(train) : null);
  const RANK = { healthy: 0, watch: 1, replace: 2 } as const;
  const worstBand = new Map(
    (health.data?.devices ?? []).map((d) => {
      const bands = d.components.map((c) => c.band).filter((b): b is "healthy" | "watch" | "replace" => !!b);
      const w = bands.reduce<"healthy" | "watch" | "replace" | null>((a, b) => (a === null || RANK[b] > RANK[a] ? b : a), null);
      const soon = d.components.map((c) => c.projected_date).filter((x): x is string => !!x).sort()[0] ?? null;
      return [d.dvc_no, { w, soon }];
    }),
  );
  return (
    <>
      <h1>
        {t("train.title", { train })} {list.length ? <StatusBadge status={worst(list)} /> : null}
      </h1>
      <label class="field" style="max-width:200px">
        <span>{t("common.train")}</span>
        <select value={train} onChange={(e) => navigate(href("train", [e.currentTarget.value]))}>
          {trains.value.map(([tr]) => (
            <option key={tr} value={tr}>
              {tr}
            </option>
          ))}
        </select>
      </label>
      <Loading when={detail.loading} />
      <ErrorText error={detail.error} />
      <div class="table-wrap">
        <table data-testid="train-table">
          <caption class="sr-only">{t("train.caption", { train })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("common.carriage")}</th>
              <th scope="col">{t("common.unit")}</th>
              <th scope="col">{t("common.status")}</th>
              <th scope="col">{t("train.mode")}</th>
              <th scope="col" class="num">{t("train.returnT")}</th>
              <th scope="col" class="num">{t("train.supplyT")}</th>
              <th scope="col">{t("train.comp")}</th>
              <th scope="col">{t("train.fans")}</th>
              <th scope="col" class="num">{t("train.dampers")}</th>
              <th scope="col" class="num">{t("train.co2")}</th>
              <th scope="col">{t("train.cabin")}</th>
              <th scope="col">{t("train.health")}</th>
            </tr>
          </thead>
          <tbody>
            {list.flatMap((d) =>
              [1, 2].map((u) => {
                const c = info.get(d.carriage);
                const us = c?.summary?.units.find((x) => x.unit_no === u);
                return (
                  <tr key={`${d.device}-${u}`} data-device={d.device} aria-current={focus === d.carriage ? "true" : undefined}>
                    {u === 1 ? (
                      <th scope="row" rowSpan={2}>
                        {d.carriage}
                        <div class="muted">{fmtTime(d.lastSeen)}</div>
                      </th>
                    ) : null}
                    <td>
                      <a href={href("unit", [train, d.carriage, u])}>{t("train.unitLink", { u })}</a>
                    </td>
                    <td>
                      <StatusBadge status={d.status} />
                    </td>
                    <td>{us?.mode ?? "–"}</td>
                    <td class="num">{fmtNum(num(us?.temperatures.return_air))}</td>
                    <td class="num">
                      {fmtNum(num(us?.temperatures.supply_1))} / {fmtNum(num(us?.temperatures.supply_2))}
                    </td>
                    <td>{us ? us.compressors.map((x) => onOff(x.running)).join(" / ") : "–"}</td>
                    <td>{us ? `${onOff(us.fans.find((f) => f.id.startsWith("ef"))?.running)} / ${onOff(us.fans.find((f) => f.id.startsWith("cf"))?.running)}` : "–"}</td>
                    <td class="num">
                      {fmtNum(num(us?.dampers.fresh_pos), 0)} / {fmtNum(num(us?.dampers.return_pos), 0)}
                    </td>
                    <td class="num">{fmtNum(num(us?.air.co2), 0)}</td>
                    {u === 1 ? (
                      <td rowSpan={2} class="num">
                        {fmtNum(num(c?.summary?.cabin_temp))}
                      </td>
                    ) : null}
                    {u === 1 ? (
                      <td rowSpan={2}>
                        {worstBand.get(d.device)?.w ? <StatusBadge status={worstBand.get(d.device)!.w!} /> : "–"}
                        {worstBand.get(d.device)?.soon ? <div class="muted">{t("train.nextReplace", { d: worstBand.get(d.device)!.soon! })}</div> : null}
                      </td>
                    ) : null}
                  </tr>
                );
              }),
            )}
          </tbody>
        </table>
      </div>
      <h2>{t("train.active", { n: eps.length })}</h2>
      <EpisodeTable list={eps} caption={t("train.active", { n: eps.length })} testid="train-active" />
    </>
  );
}
