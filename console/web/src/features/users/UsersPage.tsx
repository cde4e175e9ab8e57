// Users (admin): list, add with a role (the service makes a random password, shown here once),
// change role, disable/enable, reset a password. Every change asks for a reason (audited).
import { useState } from "preact/hooks";
import { ApiError, api, post, session } from "../../api/client.ts";
import { USERS_PATH, userPasswordPath, userPath } from "../../api/paths.ts";
import { fmtTime, t } from "../../i18n/index.ts";
import { useApi } from "../../shared/useApi.ts";
import { ErrorText, Field, Loading } from "../../shared/ui.tsx";

interface User {
  name: string;
  role: string;
  disabled?: boolean;
  created_at?: string;
  last_login?: string | null;
  locked?: boolean;
}
const ROLES = ["viewer", "engineer", "admin"] as const;

export function UsersPage() {
  const list = useApi<{ users?: User[] } | User[]>(session.value?.role === "admin" ? USERS_PATH : null);
  const [name, setName] = useState("");
  const [secret, setSecret] = useState<{ name: string; password: string } | null>(null);
  const [role, setRole] = useState<string>("viewer");
  const [error, setError] = useState<ApiError | null>(null);
  if (session.value?.role !== "admin") return <p class="error">{t("users.adminOnly")}</p>;
  const users = list.data ? (Array.isArray(list.data) ? list.data : (list.data.users ?? [])) : [];
  const add = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setSecret(await post<{ name: string; password: string }>(USERS_PATH, { name, role }));
      setName("");
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const change = async (u: User, patch: Partial<User>) => {
    setError(null);
    const reason = window.prompt(t("users.reasonFor", { u: u.name }));
    if (!reason) return list.reload();
    try {
      await api("PATCH", userPath(u.name), { ...patch, reason });
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const reset = async (u: User) => {
    setError(null);
    try {
      setSecret(await post<{ name: string; password: string }>(userPasswordPath(u.name), {}));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <>
      <h1>{t("users.title")}</h1>
      <Loading when={list.loading} />
      <ErrorText error={list.error ?? error} />
      {secret ? (
        <p class="card" role="alert" data-testid="new-password">
          {t("users.passwordOnce", { u: secret.name })} <code>{secret.password}</code>
        </p>
      ) : null}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("users.name")}</th>
              <th scope="col">{t("users.role")}</th>
              <th scope="col">{t("users.state")}</th>
              <th scope="col">{t("users.lastLogin")}</th>
              <th scope="col">{t("ep.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.name}>
                <th scope="row">{u.name}</th>
                <td>
                  <select aria-label={t("users.roleOf", { u: u.name })} value={u.role} onChange={(e) => change(u, { role: e.currentTarget.value })}>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <label>
                    <input type="checkbox" checked={!!u.disabled} onChange={(e) => change(u, { disabled: e.currentTarget.checked })} /> {t("users.disabled")}
                  </label>
                </td>
                <td>
                  {fmtTime(u.last_login)} {u.locked ? <span class="badge" data-status="alarm">{t("users.locked")}</span> : null}
                </td>
                <td>
                  <button type="button" onClick={() => reset(u)}>
                    {t("users.reset")}
                    <span class="sr-only"> {u.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="card row" onSubmit={add} aria-labelledby="add-h" style="margin-top:12px">
        <h2 id="add-h" style="width:100%">{t("users.add")}</h2>
        <Field label={t("users.name")}>
          <input name="username" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label={t("users.role")}>
          <select name="role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <button class="primary" type="submit">
          {t("users.create")}
        </button>
      </form>
    </>
  );
}
