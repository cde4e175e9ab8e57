// A unit's air path with its live values: fresh and return air dampers, evaporator fans, the two
// compressor circuits, condenser fans, supply air. Text alternatives come from the same values.
import { fmtNum, t } from "../../i18n/index.ts";

export type Latest = Record<string, number | string | null>;

const num = (v: unknown) => (v === null || v === undefined || v === "" ? null : Number(v));

function Box(p: { x: number; y: number; w: number; label: string; value: string; on?: boolean | null }) {
  return (
    <g>
      <rect class="box" x={p.x} y={p.y} width={p.w} height={54} rx={6} />
      {p.on !== undefined && p.on !== null ? <circle class={p.on ? "on" : "off"} cx={p.x + p.w - 10} cy={p.y + 10} r={5} /> : null}
      <text x={p.x + 8} y={p.y + 20}>
        {p.label}
      </text>
      <text x={p.x + 8} y={p.y + 42} font-weight="700">
        {p.value}
      </text>
    </g>
  );
}

export function Schematic({ latest, unit }: { latest: Latest; unit: number }) {
  const u = `u${unit}`;
  const v = (f: string, d = 1, unitText = "") => {
    const n = num(latest[f]);
    return n === null ? "–" : `${fmtNum(n, d)}${unitText}`;
  };
  const on = (f: string) => (num(latest[f]) === null ? null : num(latest[f])! > 0);
  return (
    <figure class="schematic" aria-label={t("unit.schematic")}>
      <svg viewBox="0 0 720 250" role="img" aria-labelledby="schem-title">
        <title id="schem-title">{t("unit.schematic")}</title>
        <Box x={10} y={10} w={160} label={t("unit.freshAir")} value={`${v(`fas_${u}`, 1, "°C")} · ${v(`fadpos_${u}`, 0, "%")}`} />
        <Box x={10} y={90} w={160} label={t("unit.returnAir")} value={`${v(`ras_${u}`, 1, "°C")} · ${v(`radpos_${u}`, 0, "%")}`} />
        <Box x={200} y={50} w={150} label={t("unit.evapFan")} value={v(`i_ef_${u}1`, 1, "A")} on={on(`cfbk_ef_${u}1`)} />
        <Box x={380} y={10} w={160} label={t("unit.compressor", { n: 1 })} value={`${v(`suckp_${u}1`, 1)} / ${v(`highpress_${u}1`, 1)}`} on={on(`cfbk_comp_${u}1`)} />
        <Box x={380} y={90} w={160} label={t("unit.compressor", { n: 2 })} value={`${v(`suckp_${u}2`, 1)} / ${v(`highpress_${u}2`, 1)}`} on={on(`cfbk_comp_${u}2`)} />
        <Box x={570} y={50} w={140} label={t("unit.supplyAir")} value={`${v(`sas_${u}1`, 1, "°C")} / ${v(`sas_${u}2`, 1, "°C")}`} />
        <Box x={200} y={170} w={150} label={t("unit.condFan")} value={v(`i_cf_${u}1`, 1, "A")} on={on(`cfbk_cf_${u}1`)} />
        <Box x={380} y={170} w={160} label={t("unit.airQuality")} value={`CO₂ ${v(`aq_co2_${u}`, 0)} · PM2.5 ${v(`aq_pm2_5_${u}`, 0)}`} />
        <Box x={570} y={170} w={140} label={t("unit.mode")} value={v(`wmode_${u}`, 0)} />
        <path d="M170 37 H200 M170 117 H200 M350 77 H380 M540 37 H570 M540 117 H570" stroke="currentColor" fill="none" />
      </svg>
    </figure>
  );
}
