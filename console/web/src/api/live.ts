// The live feed: one WebSocket per tab, cookie-authenticated by the server, reconnecting with
// capped exponential backoff. Screens subscribe to messages; nothing in the app polls.
import { signal } from "@preact/signals";

export type LiveState = "connecting" | "open" | "closed";
export const liveState = signal<LiveState>("closed");

type Handler = (msg: Record<string, unknown>) => void;
const handlers = new Set<Handler>();
let ws: WebSocket | null = null;
let retry = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let wanted = false;
let url = "/api/live";
let hello: unknown[] = [];

export function configureLive(path: string, onOpenMessages: unknown[] = []): void {
  url = path;
  hello = onOpenMessages;
}

export function subscribe(h: Handler): () => void {
  handlers.add(h);
  return () => handlers.delete(h);
}

export function send(msg: unknown): void {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

export function startLive(): void {
  wanted = true;
  if (ws) return;
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  liveState.value = "connecting";
  const sock = new WebSocket(`${proto}//${location.host}${url}`);
  ws = sock;
  sock.onopen = () => {
    retry = 0;
    liveState.value = "open";
    for (const m of hello) sock.send(JSON.stringify(m));
  };
  sock.onmessage = (ev) => {
    let msg: unknown;
    try {
      msg = JSON.parse(String(ev.data));
    } catch {
      return;
    }
    if (msg && typeof msg === "object") for (const h of handlers) h(msg as Record<string, unknown>);
  };
  sock.onclose = () => {
    if (ws === sock) ws = null;
    liveState.value = "closed";
    if (!wanted) return;
    const delay = Math.min(30_000, 500 * 2 ** retry++) * (0.75 + Math.random() * 0.5);
    timer = setTimeout(startLive, delay);
  };
  sock.onerror = () => sock.close();
}

export function stopLive(): void {
  wanted = false;
  clearTimeout(timer);
  ws?.close();
  ws = null;
}
