-- Authentication (api.md §1): staff passwords, opaque tokens (only their SHA-256), login
-- attempts for the lockout, and the single-use links that set a staff password.

-- Apart from `staff`, so no query of staff rows can carry a hash out (W5).
CREATE TABLE staff_password (
    nrp      text        PRIMARY KEY REFERENCES staff (nrp) ON DELETE CASCADE,
    hash     text        NOT NULL CHECK (hash LIKE '$argon2id$%' OR hash ~ '^\$2[aby]\$'),
    set_at   timestamptz NOT NULL
);

CREATE TABLE auth_token (
    token_hash      bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    kind            text        NOT NULL CHECK (kind IN ('staff_access', 'staff_refresh', 'dashboard_session')),
    subject         text        NOT NULL CHECK (subject <> ''),  -- staff: NRP; dashboard: account id
    family          bytea       NOT NULL CHECK (length(family) = 16),  -- a login and its rotations
    issued_at       timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    idle_s          integer     CHECK (idle_s > 0),  -- sessions with an idle limit (dashboard)
    last_used_at    timestamptz,
    used_at         timestamptz,  -- a refresh token once rotated: a second use is reuse
    revoked_at      timestamptz,
    revoked_reason  text        CHECK (revoked_reason <> ''),
    CHECK (expires_at > issued_at),
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX auth_token_live ON auth_token (kind, subject, issued_at) WHERE revoked_at IS NULL;
CREATE INDEX auth_token_family ON auth_token (family);
CREATE INDEX auth_token_expiry ON auth_token (expires_at);

-- Every login try, known account or not (an unknown NRP is counted the same way).
CREATE TABLE login_attempt (
    id       bigserial   PRIMARY KEY,
    at       timestamptz NOT NULL,
    account  text        NOT NULL CHECK (length(account) BETWEEN 1 AND 80),  -- 'staff:<nrp>'
    ip       inet        NOT NULL,
    outcome  text        NOT NULL CHECK (outcome IN ('success', 'failure', 'reset'))
);
CREATE INDEX login_attempt_account ON login_attempt (account, at DESC);
CREATE INDEX login_attempt_ip_failures ON login_attempt (ip, at DESC) WHERE outcome = 'failure';

-- "Password aplikasi" (menus.md §4): a single-use 15-minute link to /akun/password.
CREATE TABLE password_link (
    token_hash    bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    nrp           text        NOT NULL REFERENCES staff (nrp) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    requested_by  text        NOT NULL CHECK (requested_by <> ''),  -- 'self' or 'operator:<number>'
    CHECK (expires_at > created_at)
);
CREATE INDEX password_link_nrp ON password_link (nrp, created_at DESC);
