import { useEffect } from "preact/hooks";
import type { DeviceState, Episode, Status } from "../../api/model.ts";
import { fmtTime, t, tx } from "../../i18n/index.ts";
import { href } from "../../router.ts";
import { StatusBadge } from "../../shared/ui.tsx";
import { EpisodeActions } from "./EpisodeActions.tsx";
import { active, devices, fleetError, loadFleet, startFleet, trains, worst } from "./store.ts";

const STATUSES: Status[] = ["normal", "warning", "alarm", "offline", "shelved"];

function Tile({ d }: { d: DeviceState }) {
  const label = t("fleet.tileLabel", { train: d.train, car: d.carriage, status: tx(`status.${d.status}`), seen: fmtTime(d.lastSeen) });
  return (
    <a class="tile" data-status={d.status} data-device={d.device} href={href("train", [d.train], { car: d.carriage })} title={label}>
      {d.carriage}
      <small>{tx(`status.${d.status}`)}</small>
      <span class="sr-only">{label}</span>
    </a>
  );
}

export function EpisodeTable({ list, caption, testid }: { list: Episode[]; caption: string; testid: string }) {
  return (
    <div class="table-wrap">
      <table data-testid={testid}>
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("ep.start")}</th>
            <th scope="col">{t("ep.where")}</th>
            <th scope="col">{t("ep.code")}</th>
            <th scope="col">{t("ep.description")}</th>
            <th scope="col">{t("ep.state")}</th>
            <th scope="col">{t("ep.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {list.length === 0 ? (
            <tr>
              <td colSpan={6} class="muted">
                {t("common.none")}
              </td>
            </tr>
          ) : (
            list.map((e) => (
              <tr key={e.id} data-episode={e.id} data-device={e.device}>
                <td>{fmtTime(e.start)}</td>
                <td>
                  <a href={href("unit", [e.train, e.carriage, e.unit ?? 1])}>
                    {(e.unit ? t("fleet.where", { train: e.train, car: e.carriage, unit: e.unit }) : t("fleet.whereCar", { train: e.train, car: e.carriage }))}
                  </a>
                </td>
                <td>
                  <a href={href("episodes", [e.id])}>{e.code}</a>
                </td>
                <td>
                  {e.description}
                  {e.location ? <span class="muted"> · {e.location}</span> : null}
                  {e.advice ? <div class="muted">{e.advice}</div> : null}
                </td>
                <td>{e.acknowledged ? t("ep.acknowledged") : t("ep.unacknowledged")}</td>
                <td>
                  <EpisodeActions ep={e} onDone={loadFleet} />
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

export function FleetPage() {
  useEffect(startFleet, []);
  const all = [...devices.value.values()];
  const counts = Object.fromEntries(STATUSES.map((s) => [s, all.filter((d) => d.status === s).length]));
  const trainStatus = trains.value.map(([, list]) => worst(list));
  const alarms = active.value.filter((e) => e.kind === "alarm");
  const warnings = active.value.filter((e) => e.kind === "warning");
  return (
    <>
      <h1>{t("fleet.title")}</h1>
      {fleetError.value ? (
        <p class="error" role="alert">
          {t("common.error", { msg: fleetError.value })}
        </p>
      ) : null}
      <section aria-label={t("fleet.totals")} class="totals" data-testid="totals">
        <div class="card">
          <div class="muted">{t("fleet.trains")}</div>
          <div class="n">{trains.value.length}</div>
        </div>
        {(["normal", "warning", "alarm"] as const).map((s) => (
          <div class="card" key={`t-${s}`}>
            <div class="muted">{t("fleet.trainsIn", { status: tx(`status.${s}`) })}</div>
            <div class="n">{trainStatus.filter((x) => x === s).length}</div>
          </div>
        ))}
        {STATUSES.map((s) => (
          <div class="card" key={s} data-total={s}>
            <div class="muted">{t("fleet.devicesIn", { status: tx(`status.${s}`) })}</div>
            <div class="n">{counts[s]}</div>
          </div>
        ))}
      </section>
      <div class="legend" aria-hidden="true">
        {STATUSES.map((s) => (
          <StatusBadge key={s} status={s} />
        ))}
      </div>
      <section aria-label={t("fleet.board")} class="trains" data-testid="board">
        {trains.value.map(([train, list]) => (
          <article class="train" key={train} data-train={train}>
            <h2>
              <a href={href("train", [train])}>{t("fleet.train", { train })}</a>
              <StatusBadge status={worst(list)} />
            </h2>
            <div class="cars">
              {list.map((d) => (
                <Tile key={d.device} d={d} />
              ))}
            </div>
          </article>
        ))}
      </section>
      <div class="grid2">
        <section aria-labelledby="alarms-h">
          <h2 id="alarms-h">{t("fleet.alarms", { n: alarms.length })}</h2>
          <EpisodeTable list={alarms} caption={t("fleet.alarmsCaption")} testid="active-alarms" />
        </section>
        <section aria-labelledby="warnings-h">
          <h2 id="warnings-h">{t("fleet.warnings", { n: warnings.length })}</h2>
          <EpisodeTable list={warnings} caption={t("fleet.warningsCaption")} testid="active-warnings" />
        </section>
      </div>
    </>
  );
}
