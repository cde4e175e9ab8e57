// GET /api/fleet: every train, carriage and device discovered from the data with its status.
import type { FastifyInstance } from "fastify";
import { errors, NoQuery, obj, Status, Timestamp } from "../lib/schemas.ts";
import { fleetState, trainStatus, type DeviceStatus } from "./queries.ts";

export const DeviceStateSchema = obj(
  {
    dvc_no: { type: "string" },
    train_no: { type: "string" },
    carriage: { type: ["integer", "null"] },
    status: Status,
    last_seen: Timestamp,
    received_at: Timestamp,
    alarms: { type: "integer" },
    warnings: { type: "integer" },
    shelved: { type: "integer" },
    live_faults: { type: "array", items: { type: "string" } },
  },
  ["dvc_no", "train_no", "carriage", "status", "last_seen", "received_at", "alarms", "warnings", "shelved", "live_faults"],
);

const Totals = obj(
  Object.fromEntries(["normal", "warning", "alarm", "offline", "shelved"].map((k) => [k, { type: "integer" }])),
  ["normal", "warning", "alarm", "offline", "shelved"],
);

export default async function fleetRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    "/api/fleet",
    {
      schema: {
        tags: ["fleet"],
        summary: "Every train with its devices (carriages) and their status; totals per status (devices and trains)",
        querystring: NoQuery,
        response: {
          200: obj(
            {
              generated_at: Timestamp,
              offline_after_s: { type: "number" },
              totals: obj({ devices: Totals, trains: Totals }, ["devices", "trains"]),
              trains: {
                type: "array",
                items: obj(
                  {
                    train_no: { type: "string" },
                    status: Status,
                    alarms: { type: "integer" },
                    warnings: { type: "integer" },
                    devices: { type: "array", items: DeviceStateSchema },
                  },
                  ["train_no", "status", "alarms", "warnings", "devices"],
                ),
              },
            },
            ["generated_at", "offline_after_s", "totals", "trains"],
          ),
          ...errors,
        },
      },
    },
    async () => {
      const devices = await fleetState(app.db, app.cfg.offlineAfterMs);
      const trains = new Map<string, typeof devices>();
      for (const d of devices) trains.set(d.train_no, [...(trains.get(d.train_no) ?? []), d]);
      const zero = () => ({ normal: 0, warning: 0, alarm: 0, offline: 0, shelved: 0 }) as Record<DeviceStatus, number>;
      const totals = { devices: zero(), trains: zero() };
      const out = [...trains].map(([train_no, ds]) => {
        const status = trainStatus(ds.map((d) => d.status));
        totals.trains[status]++;
        for (const d of ds) totals.devices[d.status]++;
        return {
          train_no,
          status,
          alarms: ds.reduce((a, d) => a + d.alarms, 0),
          warnings: ds.reduce((a, d) => a + d.warnings, 0),
          devices: ds,
        };
      });
      return { generated_at: new Date().toISOString(), offline_after_s: app.cfg.offlineAfterMs / 1000, totals, trains: out };
    },
  );
}
