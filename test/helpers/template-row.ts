// One real frame's stored row as a template for SQL-built test data: the legacy record of the real
// frame, written by the store's own function (nb67_store_batch), copied to table `tpl` (temporary,
// visible to this connection only) and removed from macda again.
import { readFileSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { REPO_ROOT } from "./stack.ts";

export async function createTemplateRow(
  client: pg.Client,
  times: { dvcTime: string; parseTime: string },
): Promise<void> {
  const rec = JSON.parse(readFileSync(path.join(REPO_ROOT, "test/fixtures/legacy/whole_frame.expected.json"), "utf8"));
  rec.msg_calc_dvc_time = times.dvcTime;
  rec.msg_calc_parse_time = times.parseTime;
  await client.query("SELECT nb67_store_batch($1, 'Asia/Shanghai', 'UTC')", [JSON.stringify(rec)]);
  await client.query("CREATE TEMP TABLE tpl AS SELECT * FROM macda; TRUNCATE macda");
}
