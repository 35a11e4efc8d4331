-- The dashboard (api.md §1, §3, §5): its accounts, their password-reset links, and the
-- audit log every channel writes to.

-- A dashboard account: registered (pending) or made by `cicero admin add` (admin), approved
-- with a role and the client ids it reaches. Sessions are auth_token rows of kind
-- 'dashboard_session' whose subject is the account id.
CREATE TABLE dashboard_account (
    id               bigserial   PRIMARY KEY,
    username         text        NOT NULL CHECK (username ~ '^[a-z0-9._]{3,32}$'),
    name             text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    whatsapp         text        CHECK (whatsapp ~ '^62\d{8,13}$'),
    role             text        NOT NULL CHECK (role IN ('operator', 'ditbinmas', 'ditlantas',
                                       'bidhumas', 'ditsamapta', 'ditintelkam', 'ops', 'admin')),
    client_ids       text[]      NOT NULL DEFAULT '{}',  -- operator: its satkers; directorate: extra ids
    status           text        NOT NULL CHECK (status IN ('pending', 'active', 'rejected',
                                       'lapsed', 'disabled')),
    password_hash    text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    password_set_at  timestamptz NOT NULL,
    -- Admins: the TOTP secret sealed with a key derived from the password (a copy of the
    -- table gives no second factor), and the last time step accepted (a code works once).
    totp_sealed      bytea,
    totp_last_step   bigint,
    registered_at    timestamptz NOT NULL,
    registered_ip    inet,
    decided_at       timestamptz,
    decided_by       text,
    CHECK ((role = 'admin') = (totp_sealed IS NOT NULL))
);
CREATE UNIQUE INDEX dashboard_account_username ON dashboard_account (username);
CREATE INDEX dashboard_account_pending ON dashboard_account (registered_at) WHERE status = 'pending';
CREATE INDEX dashboard_account_registered_ip ON dashboard_account (registered_ip, registered_at);

-- "Lupa password": a single-use link sent to the account's WhatsApp number.
CREATE TABLE dashboard_reset (
    token_hash  bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id  bigint      NOT NULL REFERENCES dashboard_account (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX dashboard_reset_account ON dashboard_reset (account_id, created_at DESC);

-- api.md §5 "Audit": who changed what, from which channel, written in the change's own
-- transaction. Append-only: rows are never updated, and deleted only past a year.
CREATE TABLE audit_log (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL CHECK (actor <> ''),  -- 'dash:<username>', 'wa:<number>', 'cli', 'system'
    channel     text        NOT NULL CHECK (channel IN ('web', 'whatsapp', 'import', 'cli', 'system')),
    action      text        NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]*$'),
    entity      text        NOT NULL DEFAULT '',  -- 'dashboard_account:12', 'job:db_backup', …
    before      jsonb,
    after       jsonb,
    reason      text        NOT NULL DEFAULT '',
    request_id  text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_recent ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_entity ON audit_log (entity, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '1 year' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
