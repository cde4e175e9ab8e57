// setupFiles of test/vitest.containers.config.ts: every test file's worker gets the endpoints the
// globalSetup (test/helpers/containers-setup.ts) started, as the environment the tests and the
// processes they spawn read (KAFKA_BOOTSTRAP_SERVER, TSDB_URL, CONNECT_BIN, ...).
import { inject } from "vitest";

Object.assign(process.env, inject("nb67Env"));
