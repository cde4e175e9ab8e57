/**
 * The simulator's command line: options, help text and parsing (no side effects, unit-tested by
 * test/unit/sim-cli.test.ts). tools/sim/main.ts runs it.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

export const OPTIONS = {
  help: { type: "boolean", short: "h" },
  trains: { type: "string" },
  carriages: { type: "string" },
  line: { type: "string" },
  "first-train": { type: "string" },
  rate: { type: "string" },
  count: { type: "string" },
  duration: { type: "string" },
  fast: { type: "boolean" },
  start: { type: "string" },
  scenario: { type: "string" },
  corrupt: { type: "string" },
  seed: { type: "string" },
  tz: { type: "string" },
  length: { type: "string" },
  format: { type: "string" },
  out: { type: "string" },
  topic: { type: "string" },
  brokers: { type: "string" },
  mqtt: { type: "string" },
  "mqtt-topic": { type: "string" },
  "mqtt-qos": { type: "string" },
  "mqtt-client-id": { type: "string" },
  "mqtt-ca": { type: "string" },
  "mqtt-cert": { type: "string" },
  "mqtt-key": { type: "string" },
  "mqtt-user": { type: "string" },
  quiet: { type: "boolean" },
  "list-devices": { type: "boolean" },
} as const satisfies ParseArgsConfig["options"];

export type CliValues = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

export const HELP = `NB67 frame simulator: N trains x 6 carriages of NB67 frames, with fault scenarios.

usage: npx tsx tools/sim/main.ts [options]

fleet and timing
  --trains N           trains (default $SIM_TRAINS or 1)
  --carriages N        carriages per train (default 6)
  --line L             metro line 1..65 (default 7)
  --first-train T      number of the first train (default 1)
  --rate R             frames/s per carriage (default $SIM_RATE or 1)
  --count N            stop after N frames (default: run until killed)
  --duration S         stop after S simulated seconds
  --fast               do not pace in real time (the simulated clock still runs at R Hz)
  --start ISO          simulated start time (default now)
  --seed N             PRNG seed (default 20240719)
  --tz ZONE            device clock zone (default $DEVICE_TZ or Asia/Shanghai)

frames
  --scenario SPEC      faults, comma separated kind:device:target[@startMin[+rampMin][-endMin]]
                       (default $SIM_SCENARIO); device = 7-digit number or *; scenarios:
                         leak:<dev>:u11|u12|u21|u22        refrigerant leak
                         filter:<dev>:u1|u2                clogged filter
                         fan:<dev>:ef_u11..ef_u22|cf_u11..cf_u22|exufan   fan over-current
                         sensor:<dev>:u1|u2                fresh/return-air sensor drift
                         bit:<dev>:<fault bit>             any fault bit, e.g. bit:0700101:bflt_tempover
                         compressor:<dev>:u1|u2            compressor current imbalance
                         airquality:<dev>:u1|u2            CO2 / PM2.5 high
                         corrupt:<dev>:<share 0..1>        that share of the device's frames corrupt
                       e.g. leak:0700103:u11,filter:0700204:u1@5+20
  --corrupt SHARE      share of corrupt frames over all devices, 0..1 (default $SIM_CORRUPT or 0)
  --length BYTES       frame length (538 default, 492 = legacy minimum)
  --format bin|json    raw frames (default), or the legacy SRC_MODE=json hex wrapper

output
  --out kafka|stdout|dir:PATH|ndjson|mqtt
                       kafka (default): --topic at --brokers, key = device number
                       stdout: raw frames back to back; dir:PATH: one file per frame
                       (FRAME-DATA_<n>.BIN); ndjson: one JSON line per frame {dvc_no, t, corrupt, hex}
                       mqtt: publish to the broker --mqtt (implied by --mqtt)
  --topic NAME         Kafka topic (default $SOURCE_TOPIC_NAME or signal-in)
  --brokers LIST       Kafka brokers (default $KAFKA_BOOTSTRAP_SERVER or 127.0.0.1:19092)
  --mqtt URL           publish over MQTT to URL (mqtt://host:port, mqtts://host:port for TLS)
  --mqtt-topic T       topic template (default nb67/{train}/{device}/frame)
  --mqtt-qos 0|1|2     QoS (default 1: every publish is acknowledged by the broker)
  --mqtt-client-id ID  client id (default nb67-sim-<pid>)
  --mqtt-ca FILE       CA file for the broker's certificate (TLS)
  --mqtt-cert FILE     client certificate (mutual TLS), with --mqtt-key FILE
  --mqtt-key FILE      client key
  --mqtt-user NAME     user name; the password comes from $SIM_MQTT_PASSWORD (not the command line)

other
  --quiet              no progress lines on stderr
  --list-devices       print the device numbers of this configuration and exit
  -h, --help           this help
`;

export type Cli = { kind: "help" } | { kind: "error"; message: string } | { kind: "run"; values: CliValues };

const NUMERIC: Array<keyof typeof OPTIONS> = ["trains", "carriages", "line", "first-train", "rate", "count", "duration", "corrupt", "seed", "length", "mqtt-qos"];

/** Parses argv (without node and the script); never throws: an error is one line for stderr. */
export function parseCli(argv: string[]): Cli {
  let values: CliValues;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }) as { values: CliValues });
  } catch (e) {
    // node's messages are one sentence plus a hint; keep the first line
    const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0].replace(/\. To specify a positional argument.*$/, "");
    return { kind: "error", message: msg };
  }
  if (values.help) return { kind: "help" };
  for (const k of NUMERIC) {
    const v = values[k] as string | undefined;
    if (v !== undefined && (v.trim() === "" || !Number.isFinite(Number(v)))) return { kind: "error", message: `--${k} ${v}: expected a number` };
  }
  if (values["mqtt-qos"] !== undefined && !["0", "1", "2"].includes(values["mqtt-qos"])) {
    return { kind: "error", message: `--mqtt-qos ${values["mqtt-qos"]}: expected 0, 1 or 2` };
  }
  if (values.format !== undefined && !["bin", "json"].includes(values.format)) return { kind: "error", message: `--format ${values.format}: expected bin or json` };
  const out = values.out ?? (values.mqtt ? "mqtt" : "kafka");
  if (!["kafka", "stdout", "ndjson", "mqtt"].includes(out) && !out.startsWith("dir:")) {
    return { kind: "error", message: `--out ${out}: expected kafka, stdout, ndjson, mqtt or dir:PATH` };
  }
  if (out === "mqtt") {
    if (!values.mqtt) return { kind: "error", message: "--out mqtt needs --mqtt URL" };
    let u: URL;
    try {
      u = new URL(values.mqtt);
    } catch {
      return { kind: "error", message: `--mqtt ${values.mqtt}: not a URL (mqtt://host:port or mqtts://host:port)` };
    }
    if (!["mqtt:", "mqtts:", "tcp:", "ssl:", "tls:", "ws:", "wss:"].includes(u.protocol)) {
      return { kind: "error", message: `--mqtt ${values.mqtt}: scheme must be mqtt:// or mqtts:// (ws:// wss:// tcp:// ssl:// also work)` };
    }
    if (!!values["mqtt-cert"] !== !!values["mqtt-key"]) return { kind: "error", message: "--mqtt-cert and --mqtt-key go together" };
  }
  return { kind: "run", values: { ...values, out } };
}

/** The MQTT topic of a frame: {train} = dvc_train_no (line * 1000 + train), {device} = device number. */
export function mqttTopic(template: string, train: number, device: string): string {
  return template.replaceAll("{train}", String(train)).replaceAll("{device}", device);
}
