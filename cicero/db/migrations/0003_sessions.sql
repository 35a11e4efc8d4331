-- Session history (shown on /healthz, replayed as transcript `session` lines) and the
-- simulated WhatsApp network's memory, which must outlive the runtime it serves.

CREATE TABLE session_log (
    seq      bigserial PRIMARY KEY,
    session  text        NOT NULL,
    state    text        NOT NULL,
    reason   text        NOT NULL DEFAULT '',
    at       timestamptz NOT NULL
);
CREATE INDEX session_log_latest ON session_log (session, seq DESC);

-- Every message the simulated network accepted; (session, message_id) is the
-- network's de-duplication key, as WhatsApp treats a repeated id as the same message.
CREATE TABLE sim_wa (
    seq              bigserial PRIMARY KEY,
    session          text        NOT NULL,
    message_id       text        NOT NULL,
    recipient        text        NOT NULL,
    body             text,
    attachment_name  text,
    attachment_mime  text,
    attachment_sha256 text,
    accepted_at      timestamptz NOT NULL,
    UNIQUE (session, message_id)
);

-- The line state the scenario driver sets (ready | down | unpaired | logged_out | banned).
CREATE TABLE sim_line (
    session       text PRIMARY KEY,
    state         text        NOT NULL,
    banned_until  timestamptz,
    failures_left integer     NOT NULL DEFAULT 0
);
