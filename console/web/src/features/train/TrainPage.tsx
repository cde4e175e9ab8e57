import { useEffect } from "preact/hooks";
import { trainPath } from "../../api/paths.ts";
import { fmtNum, fmtTime, t } from "../../i18n/index.ts";
import { href, navigate, route } from "../../router.ts";
import { useApi } from "../../shared/useApi.ts";
import { ErrorText, Loading, StatusBadge } from "../../shared/ui.tsx";
import { EpisodeTable } from "../fleet/FleetPage.tsx";
import { active, startFleet, trains, worst } from "../fleet/store.ts";

type Latest = Record<string, number | string | null>;
interface CarriageInfo {
  device: string;
  carriage: number;
  latest?: Latest;
  values?: Latest;
  health?: { worst?: string; band?: string };
}

const num = (v: unknown) => (v === null || v === undefined || v === "" ? null : Number(v));
const onOff = (v: unknown) => (num(v) === null ? "–" : num(v)! > 0 ? t("common.on") : t("common.off"));

export function TrainPage() {
  useEffect(startFleet, []);
  const r = route.value;
  const train = r.parts[0] ?? trains.value[0]?.[0] ?? "";
  const focus = Number(r.query.get("car") ?? 0);
  const list = trains.value.find(([tr]) => tr === train)?.[1] ?? [];
  const detail = useApi<{ carriages?: CarriageInfo[]; devices?: CarriageInfo[] }>(train ? trainPath(train) : null);
  const info = new Map((detail.data?.carriages ?? detail.data?.devices ?? []).map((c) => [Number(c.carriage), c]));
  const eps = active.value.filter((e) => e.train === train);
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
              <th scope="col">{t("train.health")}</th>
            </tr>
          </thead>
          <tbody>
            {list.flatMap((d) =>
              [1, 2].map((u) => {
                const c = info.get(d.carriage);
                const l: Latest = c?.latest ?? c?.values ?? {};
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
                    <td>{l[`wmode_u${u}`] ?? "–"}</td>
                    <td class="num">{fmtNum(num(l[`ras_u${u}`]))}</td>
                    <td class="num">
                      {fmtNum(num(l[`sas_u${u}1`]))} / {fmtNum(num(l[`sas_u${u}2`]))}
                    </td>
                    <td>
                      {onOff(l[`cfbk_comp_u${u}1`])} / {onOff(l[`cfbk_comp_u${u}2`])}
                    </td>
                    <td>
                      {onOff(l[`cfbk_ef_u${u}1`])} / {onOff(l[`cfbk_cf_u${u}1`])}
                    </td>
                    <td class="num">
                      {fmtNum(num(l[`fadpos_u${u}`]), 0)} / {fmtNum(num(l[`radpos_u${u}`]), 0)}
                    </td>
                    <td class="num">{fmtNum(num(l[`aq_co2_u${u}`]), 0)}</td>
                    <td>{c?.health?.worst ?? c?.health?.band ? <StatusBadge status={String(c?.health?.worst ?? c?.health?.band)} /> : "–"}</td>
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
