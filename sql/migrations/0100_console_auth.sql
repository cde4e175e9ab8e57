-- Console: users, sessions, login failures and the audit trail (console/server/auth, users).
-- Sessions and login failures live here, not in a console process, so any number of console
-- instances behind a load balancer agree on who is logged in and who is locked out.
CREATE TABLE IF NOT EXISTS console_user (
  id                  bigserial PRIMARY KEY,
  name                text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  role                text NOT NULL CHECK (role IN ('viewer', 'engineer', 'admin')),
  password_hash       text NOT NULL,                 -- scrypt$N$r$p$salt$hash
  disabled            boolean NOT NULL DEFAULT false,
  created_at          timestamptz NOT NULL DEFAULT now(),
  created_by          text,
  password_changed_at timestamptz NOT NULL DEFAULT now()
);

-- token_hash = SHA-256 of the cookie's random token (the token itself is never stored).
CREATE TABLE IF NOT EXISTS console_session (
  token_hash   bytea PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES console_user (id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ip           text,
  user_agent   text
);
CREATE INDEX IF NOT EXISTS console_session_user ON console_session (user_id);
CREATE INDEX IF NOT EXISTS console_session_expires ON console_session (expires_at);

-- One row per failed login (user name as typed, lower-cased, known or not); cleared for a user on
-- its next successful login. Lock-out and per-address rate limits count these rows.
CREATE TABLE IF NOT EXISTS console_login_failure (
  id       bigserial PRIMARY KEY,
  username text NOT NULL,
  ip       text NOT NULL,
  at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS console_login_failure_user ON console_login_failure (username, at);
CREATE INDEX IF NOT EXISTS console_login_failure_ip ON console_login_failure (ip, at);

-- Who, when, what, before, after, reason: every operator action and every login.
CREATE TABLE IF NOT EXISTS console_audit (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  target_kind text NOT NULL,
  target      text NOT NULL,
  before      jsonb,
  after       jsonb,
  reason      text
);
CREATE INDEX IF NOT EXISTS console_audit_target ON console_audit (target_kind, target, id);
