// Regenerates every file that depends on the frame layout, from codec/NB67.ksy.
//
//   tsx codec/gen/generate.ts          write the generated files
//   tsx codec/gen/generate.ts --check  exit 1 if any generated file is missing or stale
//
// Emitters are discovered: every codec/gen/emit-*.ts module is loaded (in file-name order) and its
// default export is called with the model. An emitter is
//   export default function emit(model: Model): Array<{ path: string; content: string }>
// where `path` is relative to the repository root and `content` already starts with the
// GENERATED note (see model.ts GENERATED_NOTE). Adding a new output = adding a new emit-*.ts file.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GENERATED_NOTE, ROOT, loadModel, type Model } from "./model.ts";

export interface Output {
  path: string;
  content: string;
}
export type Emitter = (model: Model) => Output[];

export async function generateAll(model: Model = loadModel()): Promise<Output[]> {
  const dir = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(dir)
    .filter((f) => /^emit-[\w-]+\.ts$/.test(f))
    .sort();
  const outputs: Output[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const mod = await import(pathToFileURL(join(dir, f)).href);
    const emit: Emitter | undefined = mod.default;
    if (typeof emit !== "function") throw new Error(`${f}: no default export function`);
    for (const o of emit(model)) {
      if (seen.has(o.path)) throw new Error(`${f}: ${o.path} is emitted twice`);
      if (!o.content.includes(GENERATED_NOTE)) throw new Error(`${f}: ${o.path} lacks the GENERATED note`);
      seen.add(o.path);
      outputs.push(o);
    }
  }
  return outputs;
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const outputs = await generateAll();
  const stale: string[] = [];
  for (const o of outputs) {
    const abs = join(ROOT, o.path);
    const current = existsSync(abs) ? readFileSync(abs, "utf8") : null;
    if (current === o.content) continue;
    if (check) {
      stale.push(o.path + (current === null ? " (missing)" : " (stale)"));
    } else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, o.content);
      console.log(`wrote ${o.path}`);
    }
  }
  if (check) {
    if (stale.length > 0) {
      console.error(`generated files out of date with codec/NB67.ksy:\n  ${stale.join("\n  ")}\nrun \`make gen\``);
      process.exit(1);
    }
    console.log(`generated files up to date (${outputs.length})`);
  } else {
    console.log(`generated ${outputs.length} files from codec/NB67.ksy`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
