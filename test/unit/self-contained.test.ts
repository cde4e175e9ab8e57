// The repository stands on its own. A clone has nothing beside it, so no tracked file may point at
// the reference directory that sat next to the working copy during development (a relative path
// that leaves the repository, or its spec folder). Code comments and docs may not cite tracker issue
// numbers either, because a user of the repository never sees those issues. What they may point at
// instead: docs/legacy.md, docs/architecture.md and docs/deviations.md.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

// The fixtures' README says where the vectors came from; it is the one file allowed to name the
// reference directory.
const ALLOWED = new Set(["test/fixtures/legacy/README.md"]);

/** Tracked text files (NUL bytes mean binary), as paths relative to the root. */
function trackedTextFiles(): { file: string; text: string }[] {
  const out = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  const files: { file: string; text: string }[] = [];
  for (const file of out.split("\0")) {
    if (!file || ALLOWED.has(file)) continue;
    const abs = path.join(ROOT, file);
    if (!existsSync(abs)) continue; // deleted in the working tree, not yet committed
    const buf = readFileSync(abs);
    if (buf.includes(0)) continue;
    files.push({ file, text: buf.toString("utf8") });
  }
  return files;
}

const SPEC_DIR = /shared\/spec/;
// One or more "../" then "shared": fine only when it resolves to a tracked path inside the repository
// (for example the web app's own src/shared folder), never when it climbs out of it.
const UP_SHARED = /(?:\.\.\/)+shared(?:\/[\w.@-]+)*/g;
const ISSUE = /\b[Ii]ssues?[ \t]*#?\d+/;

function upSharedProblems(file: string, text: string, tracked: Set<string>, dirs: Set<string>): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(UP_SHARED)) {
    const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[0]));
    const inside = !target.startsWith("..") && !path.isAbsolute(target);
    const known = tracked.has(target) || dirs.has(target) || tracked.has(target + ".ts") || tracked.has(target + ".tsx");
    if (!inside || !known) problems.push(`${file}: ${m[0]}`);
  }
  return problems;
}

type Syntax = { line: string[]; block: [string, string][] };
const C_LIKE: Syntax = { line: ["//"], block: [["/*", "*/"]] };
const HASH: Syntax = { line: ["#"], block: [] };
const SQL: Syntax = { line: ["--"], block: [["/*", "*/"]] };
const PYTHON: Syntax = { line: ["#"], block: [['"""', '"""']] };
const MARKUP: Syntax = { line: [], block: [["<!--", "-->"]] };

function syntaxOf(file: string): Syntax | "all" | null {
  const base = path.basename(file);
  const ext = path.extname(file).toLowerCase();
  if (ext === ".md") return "all"; // documentation: every word is read by users
  if ([".ts", ".tsx", ".js", ".mjs", ".cjs", ".go", ".css", ".jsonc"].includes(ext)) return C_LIKE;
  if ([".sh", ".yaml", ".yml", ".ksy", ".properties", ".toml", ".conf"].includes(ext)) return HASH;
  if (base === "Makefile" || base === ".gitignore" || base === "run" || base === "go.mod") return HASH;
  if (ext === ".sql") return SQL;
  if (ext === ".py") return PYTHON;
  if ([".html", ".xml", ".svg"].includes(ext)) return MARKUP;
  return null; // data (JSON, checksums): no comments
}

/** The comment text of a file (line comments and block comments), by a small lexer-free scan. */
function comments(text: string, syntax: Syntax): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let next = -1;
    let kind: { end: string; startLen: number } | null = null;
    for (const marker of syntax.line) {
      const j = text.indexOf(marker, i);
      if (j >= 0 && (next < 0 || j < next)) {
        next = j;
        kind = { end: "\n", startLen: marker.length };
      }
    }
    for (const [open, close] of syntax.block) {
      const j = text.indexOf(open, i);
      if (j >= 0 && (next < 0 || j < next)) {
        next = j;
        kind = { end: close, startLen: open.length };
      }
    }
    if (next < 0 || kind === null) break;
    const end = text.indexOf(kind.end, next + kind.startLen);
    const stop = end < 0 ? text.length : end;
    out.push(text.slice(next + kind.startLen, stop));
    i = stop + kind.end.length;
  }
  return out;
}

function issueProblems(file: string, text: string): string[] {
  const syntax = syntaxOf(file);
  if (syntax === null) return [];
  const parts = syntax === "all" ? [text] : comments(text, syntax);
  const problems: string[] = [];
  for (const part of parts) {
    for (const line of part.split("\n")) {
      const m = ISSUE.exec(line);
      if (m) problems.push(`${file}: ${line.trim().slice(0, 120)}`);
    }
  }
  return problems;
}

describe("the repository stands on its own", () => {
  const files = trackedTextFiles();
  const tracked = new Set(files.map((f) => f.file));
  const dirs = new Set<string>();
  for (const f of tracked) for (let d = path.dirname(f); d !== "."; d = path.dirname(d)) dirs.add(d);

  it("sees the tracked files", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(tracked.has("docs/legacy.md")).toBe(true);
  });

  it("no tracked file points at the reference directory beside the repository", () => {
    const problems = files.flatMap(({ file, text }) => [
      ...(SPEC_DIR.test(text) ? [`${file}: ${text.split("\n").find((l) => SPEC_DIR.test(l))!.trim().slice(0, 120)}`] : []),
      ...upSharedProblems(file, text, tracked, dirs),
    ]);
    expect(problems).toEqual([]);
  });

  it("no code comment or document cites a tracker issue number", () => {
    const problems = files.flatMap(({ file, text }) => issueProblems(file, text));
    expect(problems).toEqual([]);
  });

  // The checks themselves, on text that must fail and text that must pass.
  it("recognises what it must reject and what it must accept", () => {
    // Built from pieces so that this file does not contain what it looks for.
    const up = "../" + "shared";
    const spec = "sha" + "red/spec";
    const I = "iss" + "ue";
    const none = new Set<string>();
    expect(upSharedProblems("test/unit/x.test.ts", `path.resolve(ROOT, "${up}/vectors")`, none, none)).toHaveLength(1);
    expect(upSharedProblems("README.md", `see ${up}/vectors`, none, none)).toHaveLength(1);
    expect(SPEC_DIR.test(`see ${spec}/legacy-nb67.md`)).toBe(true);
    const t = new Set(["console/web/src/shared/ui.tsx"]);
    const d = new Set(["console/web/src/shared", "console/web/src", "console/web", "console"]);
    expect(upSharedProblems("console/web/src/features/a/Page.tsx", `from "../${up}/ui.tsx"`, t, d)).toEqual([]);
    expect(upSharedProblems("console/web/src/features/a/Page.tsx", `from "../${up}/gone.tsx"`, t, d)).toHaveLength(1);
    expect(issueProblems("plugin/a.ts", `// contract (${I} 4)\nconst x = 1;\n`)).toHaveLength(1);
    expect(issueProblems("plugin/a.ts", `/**\n * ${I[0]!.toUpperCase()}${I.slice(1)} 7, static checks\n */\n`)).toHaveLength(1);
    expect(issueProblems("pipelines/a.yaml", `# Fault prediction (${I} 6)\ninput: {}\n`)).toHaveLength(1);
    expect(issueProblems("sql/a.sql", `-- (${I} 6; owner)\nSELECT 1;\n`)).toHaveLength(1);
    expect(issueProblems("bench/a.py", `"""Spec, ${I} 4."""\nx = 1\n`)).toHaveLength(1);
    expect(issueProblems("docs/a.md", `# Fault prediction (${I} 6)\n`)).toHaveLength(1);
    expect(issueProblems("plugin/a.ts", 'const s = "see docs/legacy.md §6.1"; // bug 22\n')).toEqual([]);
    expect(issueProblems("plugin/a.ts", `const s = "${I} 3";\n`)).toEqual([]); // a string, not a comment
    expect(issueProblems("test/fixtures/legacy/index.json", `{"note": "${I} 3"}`)).toEqual([]);
  });
});
