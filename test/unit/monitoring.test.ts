// config/monitoring/: the Grafana dashboard and the alert rules may only name metrics the pipelines
// export, and every exported metric is on the dashboard and documented in the README. The exported
// list is derived from the pipelines' `metric` processors, never written down here.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { REPO_ROOT } from "../../tools/settings/schema.ts";

const DASHBOARD = path.join(REPO_ROOT, "config/monitoring/grafana-dashboard.json");
const ALERTS = path.join(REPO_ROOT, "config/monitoring/alerts.yaml");
const PROMTOOL = process.env.PROMTOOL ?? path.join(REPO_ROOT, ".tools/bin/promtool");

/** Names of the `metric` processors in pipelines/*.yaml (block or flow style). */
function exportedMetrics(): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "metric" && v && typeof v === "object" && typeof (v as { name?: unknown }).name === "string") out.add((v as { name: string }).name);
        walk(v);
      }
    }
  };
  for (const f of readdirSync(path.join(REPO_ROOT, "pipelines")).filter((x) => /\.ya?ml$/.test(x))) {
    // Interpolated with the defaults first, as Connect does (some values are YAML only afterwards).
    const text = readFileSync(path.join(REPO_ROOT, "pipelines", f), "utf8").replace(/\$\{[0-9A-Za-z_.]+(?::((?:\$\{[^}]+\}|[^}])*))?\}/g, (_m, d: string | undefined) => d ?? "");
    walk(YAML.parse(text));
  }
  return out;
}

interface Panel { id: number; type: string; title: string; gridPos: object; targets?: { refId: string; expr: string }[]; panels?: Panel[] }
const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { uid: string; title: string; panels: Panel[] };
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const dashExprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const alertRules = (YAML.parse(readFileSync(ALERTS, "utf8")) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);

// Identifiers that are metric names: everything PromQL would look up (not functions, keywords, labels).
const PROMQL_WORDS = new Set([
  "sum", "max", "min", "avg", "count", "rate", "increase", "irate", "by", "without", "on", "ignoring",
  "and", "or", "unless", "clamp_min", "clamp_max", "vector", "absent", "group_left", "group_right",
  "histogram_quantile", "deriv", "delta", "offset", "bool", "topk", "bottomk", "time", "scalar",
]);
function metricNames(expr: string): string[] {
  const noStrings = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, "{}").replace(/\$__\w+/g, "5m").replace(/\[[^\]]*\]/g, "[]");
  const noLabelLists = noStrings.replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, "$1");
  return [...noLabelLists.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b/g)]
    .map((m) => m[0])
    .filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w) && !/^[smhdwy]$/.test(w) && !/^\d+[smhdwy]$/.test(w));
}

describe("metrics exported by the pipelines", () => {
  const exported = exportedMetrics();
  it("are found in the pipelines (the scan works)", () => {
    expect(exported.size).toBeGreaterThanOrEqual(10);
    for (const n of exported) expect(n).toMatch(/^nb67_[a-z0-9_]+$/);
  });

  it("the dashboard parses, has unique panel ids, and every expression names only exported metrics", () => {
    expect(dashboard.uid).toBeTruthy();
    expect(dashboard.title).toBeTruthy();
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const graphs = panels.filter((p) => p.type !== "row");
    expect(graphs.length).toBeGreaterThan(10);
    const bad: string[] = [];
    for (const p of graphs) {
      if (!p.targets?.length) bad.push(`${p.title}: no query`);
      for (const t of p.targets ?? []) {
        const names = metricNames(t.expr);
        if (names.length === 0) bad.push(`${p.title}: ${t.expr} names no metric`);
        for (const n of names) if (!exported.has(n)) bad.push(`${p.title}: ${n} is not exported by any pipeline`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("every exported metric is on the dashboard, in an alert or deliberately not, and in the README", () => {
    const onDashboard = new Set(dashExprs.flatMap(metricNames));
    expect([...exported].filter((n) => !onDashboard.has(n))).toEqual([]);
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Metrics"), readme.indexOf("\n## ", readme.indexOf("## Metrics") + 5));
    const documented = new Set([...section.matchAll(/^\| `(nb67_[a-z0-9_]+)`/gm)].map((m) => m[1]));
    expect([...exported].filter((n) => !documented.has(n)), "exported but not in README ## Metrics").toEqual([]);
    expect([...documented].filter((n) => !exported.has(n)), "in README ## Metrics but exported by no pipeline").toEqual([]);
  });

  it("every alert rule names only exported metrics", () => {
    const bad = alertRules.flatMap((r) => metricNames(r.expr).filter((n) => !exported.has(n)).map((n) => `${r.alert}: ${n}`));
    expect(alertRules.length).toBeGreaterThanOrEqual(10);
    expect(bad).toEqual([]);
  });

  it.skipIf(!existsSync(PROMTOOL))("every dashboard expression is valid PromQL (promtool)", () => {
    // promtool parses recording rules; Grafana's $__rate_interval becomes a fixed range.
    const dir = mkdtempSync(path.join(os.tmpdir(), "nb67-dash-"));
    const file = path.join(dir, "dashboard-rules.yaml");
    const rules = dashExprs.map((e, i) => ({ record: `nb67:dashboard_expr_${i}`, expr: e.replace(/\$__rate_interval/g, "5m") }));
    writeFileSync(file, YAML.stringify({ groups: [{ name: "dashboard", rules }] }));
    const r = spawnSync(PROMTOOL, ["check", "rules", file], { encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
