// Pipeline health as the service reports it: Connect readiness, consumer lag, dead letters, the
// platform outbox. Rendered from the answer's structure so a new figure shows without a release.
import { PIPELINE_PATH } from "../../api/paths.ts";
import { fmtNum, fmtTime, t, tx } from "../../i18n/index.ts";
import { useApi } from "../../shared/useApi.ts";
import { ErrorText, Loading } from "../../shared/ui.tsx";

const isTime = (_k: string, v: unknown) => typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v));

function Value({ k, v }: { k: string; v: unknown }) {
  if (v === null || v === undefined) return <>–</>;
  if (typeof v === "boolean") return <span class="badge" data-status={v ? "normal" : "alarm"}>{v ? t("common.yes") : t("common.no")}</span>;
  if (typeof v === "number") return <>{fmtNum(v, 2)}</>;
  if (isTime(k, v)) return <>{fmtTime(v as string)}</>;
  if (Array.isArray(v))
    return (
      <ul>
        {v.map((x, i) => (
          <li key={i}>{typeof x === "object" ? <KV obj={x as Record<string, unknown>} /> : String(x)}</li>
        ))}
      </ul>
    );
  if (typeof v === "object") return <KV obj={v as Record<string, unknown>} />;
  return <>{String(v)}</>;
}

function KV({ obj }: { obj: Record<string, unknown> }) {
  return (
    <dl>
      {Object.entries(obj).map(([k, v]) => (
        <div key={k} class="row" style="gap:6px;align-items:baseline">
          <dt class="muted">{tx(`pipe.${k}`, k)}</dt>
          <dd style="margin:0">
            <Value k={k} v={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function PipelinePage() {
  const p = useApi<Record<string, unknown>>(PIPELINE_PATH);
  return (
    <>
      <h1>{t("pipe.title")}</h1>
      <p>
        <button type="button" onClick={p.reload}>
          {t("common.refresh")}
        </button>
      </p>
      <Loading when={p.loading} />
      <ErrorText error={p.error} />
      <div class="grid2">
        {Object.entries(p.data ?? {}).map(([k, v]) => (
          <section class="card" key={k} aria-labelledby={`pipe-${k}`}>
            <h2 id={`pipe-${k}`}>{tx(`pipe.${k}`, k)}</h2>
            <Value k={k} v={v} />
          </section>
        ))}
      </div>
    </>
  );
}
