// `make run` starts Connect with the GOGC/GOMEMLIMIT defaults of config/settings.yaml (the values the
// README documents and the images ship), unless the environment sets them.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSettings, REPO_ROOT } from "../../tools/settings/schema.ts";

const settings = loadSettings();
const dflt = (name: string) => settings.find((s) => s.name === name)!.default;

// A sandbox root: the real run.sh, checker and config, but a stack.sh and a Connect that only write
// down how they were started, so the test never starts or touches the shared stack.
function runSandbox(env: NodeJS.ProcessEnv): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "nb67-run-gc-"));
  mkdirSync(path.join(root, "tools/stack"), { recursive: true });
  copyFileSync(path.join(REPO_ROOT, "tools/stack/run.sh"), path.join(root, "tools/stack/run.sh"));
  for (const d of ["tools/settings", "config", "node_modules", "dist"]) symlinkSync(path.join(REPO_ROOT, d), path.join(root, d));
  const mark = path.join(root, "touched");
  writeFileSync(path.join(root, "tools/stack/stack.sh"), `#!/bin/sh\nexit 0\n`, { mode: 0o755 });
  writeFileSync(path.join(root, "connect-stub"), `#!/bin/sh\necho "GOGC=$GOGC GOMEMLIMIT=$GOMEMLIMIT" >> ${mark}\n`, { mode: 0o755 });
  const blank = Object.fromEntries(settings.map((s) => [s.name, ""]));
  spawnSync("bash", [path.join(root, "tools/stack/run.sh")], {
    cwd: root,
    env: { ...process.env, ...blank, NB67_ROOT: root, CONNECT: path.join(root, "connect-stub"), CONNECT_READY_TIMEOUT: "1", CONNECT_HTTP_ADDRESS: "127.0.0.1:9", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return readFileSync(mark, "utf8").trim();
}

describe("tools/stack/run.sh: Go's GC settings for Connect", () => {
  it("takes the defaults from config/settings.yaml when the environment leaves them unset", () => {
    expect(runSandbox({})).toBe(`GOGC=${dflt("GOGC")} GOMEMLIMIT=${dflt("GOMEMLIMIT")}`);
  });
  it("keeps an operator's values", () => {
    expect(runSandbox({ GOGC: "150", GOMEMLIMIT: "200MiB" })).toBe("GOGC=150 GOMEMLIMIT=200MiB");
  });
});
