import { useMemo } from "preact/hooks";
import { toEpisode } from "../../api/model.ts";
import { episodePath } from "../../api/paths.ts";
import { fmtDuration, fmtNum, fmtTime, t } from "../../i18n/index.ts";
import { href } from "../../router.ts";
import { Chart } from "../../shared/Chart.tsx";
import { useApi } from "../../shared/useApi.ts";
import { ErrorText, Loading } from "../../shared/ui.tsx";
import { EpisodeActions } from "../fleet/EpisodeActions.tsx";
import { toTrend } from "../unit/trend.ts";

interface Explanation {
  condition?: string;
  rule?: string;
  values?: Record<string, number | string | null>;
  thresholds?: Record<string, number | string | null>;
  fields?: string[];
  text?: string;
}
interface Detail {
  episode?: Record<string, unknown>;
  explanation?: Explanation;
  signals?: Record<string, unknown>;
  fields?: string[];
  audit?: { at: string; user: string; action: string; note?: string; reason?: string }[];
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
  const raw = d.data?.episode ?? (d.data as Record<string, unknown> | undefined);
  const ep = raw && (raw as Record<string, unknown>).id !== undefined ? toEpisode(raw as Record<string, unknown>) : undefined;
  const x = d.data?.explanation;
  const sig = d.data?.signals;
  const fields = x?.fields ?? d.data?.fields ?? (sig ? Object.keys((sig.series ?? {}) as object) : []);
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
                <a href={href("unit", [ep.train, ep.carriage, ep.unit ?? 1])}>{t("fleet.where", { train: ep.train, car: ep.carriage, unit: ep.unit ?? "–" })}</a>
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
        <section aria-labelledby="why-h">
          <h2 id="why-h">{t("ep.explanation")}</h2>
          {x.condition ?? x.rule ?? x.text ? <p data-testid="condition">{x.condition ?? x.rule ?? x.text}</p> : null}
          <div class="grid2">
            {x.values ? (
              <div>
                <h3>{t("ep.values")}</h3>
                <KV obj={x.values} caption={t("ep.values")} />
              </div>
            ) : null}
            {x.thresholds ? (
              <div>
                <h3>{t("ep.thresholdsInForce")}</h3>
                <KV obj={x.thresholds} caption={t("ep.thresholdsInForce")} />
              </div>
            ) : null}
          </div>
        </section>
      ) : null}
      {trend ? (
        <section aria-labelledby="sig-h">
          <h2 id="sig-h">{t("ep.signals")}</h2>
          <Chart data={trend.data} names={trend.names} overlays={trend.episodes} label={t("ep.signals")} />
        </section>
      ) : null}
      {d.data?.audit?.length ? (
        <section aria-labelledby="audit-h">
          <h2 id="audit-h">{t("ep.audit")}</h2>
          <ul>
            {d.data.audit.map((a, i) => (
              <li key={i}>
                {fmtTime(a.at)} · {a.user} · {a.action} {a.note ?? a.reason ?? ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
