// The console service's JSON API: same origin, the session cookie travels with every request
// (credentials: "same-origin"), and every write carries the CSRF token the session gave us.
import { signal } from "@preact/signals";

export interface Session {
  user: string;
  role: "viewer" | "engineer" | "admin";
  csrfToken: string;
  csrfHeader: string;
}

/** The service answers {user: {name, role}, csrfToken, csrfHeader} on login and GET /api/session. */
export function toSession(raw: unknown): Session {
  const r = (raw ?? {}) as { user?: { name?: string; role?: Session["role"] } | string; role?: Session["role"]; csrfToken?: string; csrfHeader?: string };
  const u = typeof r.user === "object" && r.user ? r.user : { name: String(r.user ?? ""), role: r.role };
  return { user: u.name ?? "", role: u.role ?? "viewer", csrfToken: r.csrfToken ?? "", csrfHeader: r.csrfHeader ?? "x-csrf-token" };
}

export const session = signal<Session | null | undefined>(undefined); // undefined = not known yet

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const WRITE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const s = session.value;
  if (WRITE.has(method) && s?.csrfToken) headers[s.csrfHeader] = s.csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "network");
  }
  if (res.status === 401 && !path.endsWith("/login")) session.value = null;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const d = (data ?? {}) as { error?: string; code?: string; message?: string };
    throw new ApiError(res.status, d.code ?? d.error ?? String(res.status), d.message ?? d.error ?? res.statusText);
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body: unknown = {}) => api<T>("POST", path, body);
export const put = <T>(path: string, body: unknown = {}) => api<T>("PUT", path, body);
export const del = <T>(path: string) => api<T>("DELETE", path);

export function qs(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
