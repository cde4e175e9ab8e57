import { useMemo } from "preact/hooks";
import { toEpisode } from "../../api/model.ts";
import { episodePath } from "../../api/paths.ts";
import { fmtDuration, fmtNum, fmtTime, t, tx } from "../../i18n/index.ts";
import { href } from "../../router.ts";
import { Chart } from "../../shared/Chart.tsx";
import { useApi } from "../../shared/useApi.ts";
import { ErrorText, Loading } from "../../shared/ui.tsx";
import { EpisodeActions } from "../fleet/EpisodeActions.tsx";
import { toTrend } from "../unit/trend.ts";

interface Explanation {
  run_at: string;
  thresholds_version: number;
  skipped: string | null;
  rules: { flag: string; condition: string; fired: boolean; thresholds: Record<string, unknown>; windows: { window: string; name: string; value: number | null }[] }[];
}
interface Detail {
  episode?: Record<string, unknown>;
  explanation?: Explanation | null;
  signals?: Record<string, unknown> & { series?: { field: string }[] };
  history?: { at: string; actor: string; action: string; reason: string | null }[];
}

function KV({ obj, caption }: { obj: Record<string, unknown>; caption: string }) {
  return (
    <table>
      <caption class="sr-only">{caption}</caption>
      <tbody>
        {Object.entries(obj).map(([k, v]) => (
          <tr key={k}>
            <th scope="row">
              <code>{k}</code>
            </th>
            <td class="num">{typeof v === "number" ? fmtNum(v, 3) : String(v ?? "–")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function EpisodeDetail({ id }: { id: string }) {
  const d = useApi<Detail>(episodePath(id));
  const ep = d.data?.episode ? toEpisode(d.data.episode) : undefined;
  const x = d.data?.explanation ?? null;
  const sig = d.data?.signals;
  const fields = (sig?.series ?? []).map((s) => s.field);
  const trend = useMemo(() => (sig && fields.length ? toTrend(sig, fields) : undefined), [sig]);

  return (
    <>
      <p>
        <a href={href("episodes")}>{t("ep.back")}</a>
      </p>
      <Loading when={d.loading} />
      <ErrorText error={d.error} />
      {ep ? (
        <>
          <h1>
            {t(`kind.${ep.kind}`)} {ep.code} · {ep.description}
          </h1>
          <dl class="grid2 card">
            <div>
              <dt class="muted">{t("ep.where")}</dt>
              <dd>
                <a href={href("unit", [ep.train, ep.carriage, ep.unit ?? 1])}>{(ep.unit ? t("fleet.where", { train: ep.train, car: ep.carriage, unit: ep.unit }) : t("fleet.whereCar", { train: ep.train, car: ep.carriage }))}</a>
                {ep.location ? ` · ${ep.location}` : ""}
              </dd>
            </div>
            <div>
              <dt class="muted">{t("ep.when")}</dt>
              <dd>
                {fmtTime(ep.start)} – {ep.end ? fmtTime(ep.end) : t("ep.active")} ({fmtDuration(ep.durationS)})
              </dd>
            </div>
            {ep.advice ? (
              <div>
                <dt class="muted">{t("ep.advice")}</dt>
                <dd>{ep.advice}</dd>
              </div>
            ) : null}
          </dl>
          {!ep.end ? <EpisodeActions ep={ep} onDone={d.reload} /> : null}
        </>
      ) : null}
      {x ? (
        <section aria-labelledby="why-h" data-testid="explanation">
          <h2 id="why-h">{t("ep.explanation")}</h2>
          <p class="muted">{t("ep.runInfo", { at: fmtTime(x.run_at), v: x.thresholds_version })}</p>
          {x.skipped ? <p class="error">{t("ep.skipped", { why: x.skipped })}</p> : null}
          {x.rules.map((r) => (
            <article class="card" key={r.flag} style="margin-bottom:8px">
              <h3>
                <code>{r.flag}</code> <span class="badge" data-status={r.fired ? "alarm" : "normal"}>{r.fired ? t("ep.fired") : t("ep.notFired")}</span>
              </h3>
              <p data-testid="condition">
                <code>{r.condition}</code>
              </p>
              <div class="grid2">
                <div>
                  <h4>{t("ep.values")}</h4>
                  <KV obj={Object.fromEntries(r.windows.map((w) => [`${w.name} @${w.window}`, w.value]))} caption={t("ep.values")} />
                </div>
                <div>
                  <h4>{t("ep.thresholdsInForce")}</h4>
                  <KV obj={r.thresholds} caption={t("ep.thresholdsInForce")} />
                </div>
              </div>
            </article>
          ))}
        </section>
      ) : null}
      {trend ? (
        <section aria-labelledby="sig-h">
          <h2 id="sig-h">{t("ep.signals")}</h2>
          <Chart
            data={trend.data}
            names={trend.names}
            overlays={ep ? [{ from: Date.parse(ep.start) / 1000, to: ep.end ? Date.parse(ep.end) / 1000 : Date.now() / 1000, kind: ep.kind }] : trend.episodes}
            label={t("ep.signals")}
          />
        </section>
      ) : null}
      {d.data?.history?.length ? (
        <section aria-labelledby="audit-h">
          <h2 id="audit-h">{t("ep.audit")}</h2>
          <ul>
            {d.data.history.map((a, i) => (
              <li key={i}>
                {fmtTime(a.at)} · {a.actor} · {tx(`action.${a.action}`, a.action)} {a.reason ?? ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
