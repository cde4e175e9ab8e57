// Time-series chart on uPlot (canvas, built for hundreds of thousands of points). Dragging a range
// zooms: the page puts the new range in the URL and fetches it again, so the resolution follows.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "preact/hooks";
import { theme } from "../theme.ts";
import { locale } from "../i18n/index.ts";

export interface Overlay {
  from: number; // unix seconds
  to: number;
  kind: "alarm" | "warning";
}

export interface ChartProps {
  /** x in unix seconds, then one array per series. */
  data: (number | null)[][];
  names: string[];
  label: string;
  overlays?: Overlay[];
  onZoom?: (from: number, to: number) => void;
  height?: number;
  /** Called after the chart has drawn (the benchmark measures this). */
  onDrawn?: () => void;
}

const PALETTE = ["#4493f8", "#e3b341", "#3fb950", "#f778ba", "#a5d6ff", "#ffa657", "#d2a8ff", "#7ee787"];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function Chart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const text = cssVar("--text");
    const grid = cssVar("--chart-grid");
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    // 24-hour clock in the chosen language; the date joins the time when the range spans days
    const timeAxis = {
      ...axis,
      values: (_u: uPlot, splits: number[]) => {
        const span = splits.length > 1 ? splits[splits.length - 1]! - splits[0]! : 0;
        const opts: Intl.DateTimeFormatOptions =
          span > 3 * 86400 ? { month: "2-digit", day: "2-digit" } : span > 86400 / 2 ? { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" } : { hour: "2-digit", minute: "2-digit", second: span < 600 ? "2-digit" : undefined };
        const f = new Intl.DateTimeFormat(locale.value, { ...opts, hour12: false });
        return splits.map((v) => f.format(new Date(v * 1000)));
      },
    };
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: props.height ?? 320,
      tzDate: (ts) => new Date(ts * 1000),
      cursor: { drag: { x: true, y: false, setScale: false } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      axes: [timeAxis, axis],
      series: [{ value: (_u: uPlot, v: number | null) => (v === null ? "–" : new Date(v * 1000).toLocaleString(locale.value, { hour12: false })) }, ...props.names.map((n, i) => ({ label: n, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false }))],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 5) return;
            const from = u.posToVal(u.select.left, "x");
            const to = u.posToVal(u.select.left + u.select.width, "x");
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            latest.current.onZoom?.(Math.floor(from), Math.ceil(to));
          },
        ],
        drawClear: [
          (u) => {
            const ovs = latest.current.overlays ?? [];
            if (!ovs.length) return;
            const ctx = u.ctx;
            ctx.save();
            for (const o of ovs) {
              const x0 = Math.max(u.bbox.left, u.valToPos(o.from, "x", true));
              const x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(o.to, "x", true));
              if (x1 <= x0) continue;
              ctx.fillStyle = o.kind === "alarm" ? "rgba(248,81,73,0.22)" : "rgba(210,153,34,0.22)";
              ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
            }
            ctx.restore();
          },
        ],
        draw: [() => latest.current.onDrawn?.()],
      },
    };
    const u = new uPlot(opts, props.data as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(300, el.clientWidth), height: props.height ?? 320 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // A new series list or theme rebuilds the chart; new data for the same series only redraws.
  }, [props.names.join("\u0000"), theme.value, locale.value]);
  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data, props.overlays]);
  return <div class="chart" ref={host} role="img" aria-label={props.label} data-points={props.data[0]?.length ?? 0} />;
}
