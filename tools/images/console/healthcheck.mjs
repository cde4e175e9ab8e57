// The console image's HEALTHCHECK: GET /api/ready on CONSOLE_ADDRESS from inside the container
// (http, or https when CONSOLE_TLS_CERT is set; the certificate is the console's own, so it is not
// verified for this loopback probe). Exit 0 on 200.
import http from "node:http";
import https from "node:https";

const addr = process.env.CONSOLE_ADDRESS || "127.0.0.1:8080";
const i = addr.lastIndexOf(":");
let host = addr.slice(0, i);
if (host === "0.0.0.0" || host === "") host = "127.0.0.1";
if (host === "::" || host === "[::]") host = "::1";
const tls = Boolean(process.env.CONSOLE_TLS_CERT);
const req = (tls ? https : http).get(
  { host: host.replace(/^\[|\]$/g, ""), port: Number(addr.slice(i + 1)), path: "/api/ready", timeout: 3000, rejectUnauthorized: false },
  (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  },
);
req.on("timeout", () => req.destroy(new Error("timeout")));
req.on("error", () => process.exit(1));
