// The console web app's texts: both message files have the same keys and placeholders, every key
// the code uses exists, and no component carries visible text outside the message files.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/stack.ts";

const SRC = path.join(REPO_ROOT, "console/web/src");
const load = (f: string) => JSON.parse(readFileSync(path.join(SRC, "i18n", f), "utf8")) as Record<string, string>;
const zh = load("zh-CN.json");
const en = load("en.json");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}
const sources = files(SRC).map((f) => ({ f: path.relative(SRC, f), text: readFileSync(f, "utf8") }));
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("console web messages", () => {
  it("zh-CN and en have the same keys", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    expect(Object.keys(zh).length).toBeGreaterThan(100);
  });

  it("each message has the same placeholders in both languages and no empty text", () => {
    for (const k of Object.keys(zh)) {
      expect(placeholders(en[k] ?? ""), k).toEqual(placeholders(zh[k]!));
      expect(zh[k]!.trim(), k).not.toBe("");
      expect((en[k] ?? "").trim(), k).not.toBe("");
    }
  });

  it("every literal key passed to t() exists", () => {
    const used = new Set<string>();
    for (const { text } of sources) for (const m of text.matchAll(/\bt\("([^"]+)"/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !(k in zh))).toEqual([]);
  });

  it("the Chinese file is Chinese and the English file is not", () => {
    const cjk = /[\u4e00-\u9fff]/;
    const zhShare = Object.values(zh).filter((v) => cjk.test(v)).length / Object.keys(zh).length;
    expect(zhShare).toBeGreaterThan(0.8);
    // the language switch names the other language, so exactly one English message is Chinese
    expect(Object.entries(en).filter(([, v]) => cjk.test(v)).map(([k]) => k)).toEqual(["app.otherLanguage"]);
  });

  it("components have no visible text literals (JSX text, labels, titles, placeholders)", () => {
    const offenders: string[] = [];
    for (const { f, text: raw } of sources.filter((s) => s.f.endsWith(".tsx"))) {
      const text = raw.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "").replace(/\{\/\*.*?\*\/\}/g, "");
      // JSX text between tags with a letter in it (symbols such as "·", "/", "✕", "%" are fine)
      for (const m of text.matchAll(/>([^<>{}]*)</g)) {
        const s = m[1]!.trim();
        if (/[;=()]/.test(s)) continue; // code between a generic's angle brackets, not JSX text
        if (/[A-Za-z\u4e00-\u9fff]{2,}/.test(s) && !/^(CO₂|PM2\.5)$/.test(s)) offenders.push(`${f}: >${s}<`);
      }
      for (const m of text.matchAll(/\b(aria-label|title|placeholder|alt)="([^"]*)"/g)) offenders.push(`${f}: ${m[1]}="${m[2]}"`);
    }
    expect(offenders).toEqual([]);
  });
});
