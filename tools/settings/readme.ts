// The README's configuration table, generated from config/settings.yaml so the documentation cannot
// drift from what the check accepts.
//   npx tsx tools/settings/readme.ts          rewrite the table in README.md
//   npx tsx tools/settings/readme.ts --check  exit 1 when README.md is stale (test/unit/settings.test.ts)
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadSettings, REPO_ROOT, type Setting } from "./schema.ts";

export const BEGIN = "<!-- settings:begin (generated from config/settings.yaml by `npx tsx tools/settings/readme.ts`; do not edit) -->";
export const END = "<!-- settings:end -->";
const README = path.join(REPO_ROOT, "README.md");

const GROUP_TITLES: Record<string, string> = {
  connect: "Connect process",
  kafka: "Kafka (every `redpanda` block)",
  ingest: "ingest",
  store: "store and shared database settings",
  predict: "predict",
  reports: "platform reports",
  rollup: "console rollups",
};

function accepted(s: Setting): string {
  const bounds = [s.min !== undefined ? `≥ ${s.min}` : "", s.max !== undefined ? `≤ ${s.max}` : ""].filter(Boolean).join(", ");
  switch (s.type) {
    case "bool": return "`true` \\| `false`";
    case "enum": return s.values!.filter((v, _i, a) => !(v !== v.toUpperCase() && a.includes(v.toUpperCase()))).map((v) => `\`${v}\``).join(" \\| ");
    case "duration": return `duration${bounds ? ` ${bounds}` : s.min === undefined ? " > 0" : ""}`;
    case "int": return `integer${bounds ? ` ${bounds}` : " ≥ 0"}`;
    case "size": return `size${s.units === "iec" ? " (KiB/MiB/GiB)" : ""}${bounds ? ` ${bounds}` : ""}`;
    case "string": return s.pattern ? "text (pattern)" : "text";
    case "path": return s.must_exist ? "existing file" : "path";
    case "hostport": return s.list ? "host:port list" : "host:port";
    default: return s.type;
  }
}

const cell = (t: string) => t.replace(/\|/g, "\\|");

export function renderTable(settings = loadSettings()): string {
  const lines = [BEGIN, "", "| variable | default | accepted | meaning |", "|---|---|---|---|"];
  const groups = [...new Set(settings.map((s) => s.group))];
  for (const g of groups) {
    lines.push(`| **${GROUP_TITLES[g] ?? g}** | | | |`);
    for (const s of settings.filter((x) => x.group === g)) {
      const def = s.default === "" ? "unset" : `\`${cell(s.default)}\``;
      const meaning = s.check === "predict-rules" ? `${s.description} (checked by the module at start)` : s.description;
      lines.push(`| \`${s.name}\` | ${def} | ${accepted(s)} | ${cell(meaning)} |`);
    }
  }
  lines.push("", END);
  return lines.join("\n");
}

/** README text with the table replaced; throws when the markers are missing. */
export function withTable(readme: string, table = renderTable()): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md lacks the markers ${BEGIN} ... ${END}`);
  return readme.slice(0, a) + table + readme.slice(b + END.length);
}

if (process.argv[1]?.endsWith("tools/settings/readme.ts")) {
  const text = readFileSync(README, "utf8");
  const next = withTable(text);
  if (process.argv.includes("--check")) {
    if (next !== text) {
      console.error("README.md configuration table is stale: run npx tsx tools/settings/readme.ts");
      process.exit(1);
    }
  } else if (next !== text) {
    writeFileSync(README, next);
    console.log("README.md: configuration table regenerated");
  }
}
