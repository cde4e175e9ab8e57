// WebSocket /api/live (session required, like every /api route; checked again every minute).
// Client -> server: {"type":"subscribe","devices":["*"] | ["0700101", ...]} | {"type":"ping"}
// Server -> client: {"type":"hello",...} {"type":"snapshot","devices":[...]} {"type":"changes","devices":[...]}
//                   {"type":"pong"} {"type":"error","message":...}
import type { FastifyInstance } from "fastify";
import { lookupSession } from "../auth/session.ts";
import { LiveHub } from "./hub.ts";

export { LiveHub };

export default async function liveRoutes(app: FastifyInstance): Promise<void> {
  const hub = app.live!;

  app.get("/api/live", { websocket: true, schema: { tags: ["live"], summary: "Live feed (WebSocket; see console/server/API.md for the messages)" } }, (socket, req) => {
    const user = req.user!;
    const c = hub.addClient(socket, user.name);
    const recheck = setInterval(async () => {
      const s = await lookupSession(app, req).catch(() => undefined);
      if (!s) socket.close(4401, "session ended");
    }, 60_000);
    socket.on("close", () => clearInterval(recheck));
    socket.on("message", (raw: Buffer) => {
      let m: { type?: unknown; devices?: unknown };
      try {
        m = JSON.parse(raw.toString("utf8"));
      } catch {
        socket.send(JSON.stringify({ type: "error", message: "not JSON" }));
        return;
      }
      if (m.type === "ping") {
        socket.send(JSON.stringify({ type: "pong", at: new Date().toISOString() }));
      } else if (m.type === "subscribe" && Array.isArray(m.devices) && m.devices.length <= 2000 && m.devices.every((d) => typeof d === "string" && (d === "*" || /^[0-9]{3,12}$/.test(d)))) {
        hub.subscribe(c, m.devices as string[]);
      } else {
        socket.send(JSON.stringify({ type: "error", message: 'expected {"type":"subscribe","devices":["*"|device number,...]} or {"type":"ping"}' }));
      }
    });
  });
}
