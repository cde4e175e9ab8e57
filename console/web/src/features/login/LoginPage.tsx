import { useState } from "preact/hooks";
import { ApiError, post, session, toSession } from "../../api/client.ts";
import { LOGIN_PATH } from "../../api/paths.ts";
import { locale, setLocale, t, tx } from "../../i18n/index.ts";

export function LoginPage() {
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      session.value = toSession(await post<unknown>(LOGIN_PATH, { username: user, password }));
    } catch (err) {
      const code = err instanceof ApiError ? err.status : 0;
      setError(
        code === 401 ? t("login.bad") : code === 423 || code === 429 ? t("login.locked") : tx(`error.${code}`, t("login.failed")),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <div class="card">
        <h1>{t("app.title")}</h1>
        <form onSubmit={submit} aria-describedby={error ? "login-error" : undefined}>
          <label class="field">
            <span>{t("login.user")}</span>
            <input name="username" autocomplete="username" required value={user} onInput={(e) => setUser(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t("login.password")}</span>
            <input
              name="password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          {error ? (
            <p id="login-error" class="error" role="alert">
              {error}
            </p>
          ) : null}
          <button class="primary" type="submit" disabled={busy}>
            {t("login.submit")}
          </button>
        </form>
        <p>
          <button type="button" onClick={() => setLocale(locale.value === "zh-CN" ? "en" : "zh-CN")}>
            {t("app.otherLanguage")}
          </button>
        </p>
      </div>
    </main>
  );
}
