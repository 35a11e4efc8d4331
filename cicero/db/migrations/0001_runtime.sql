-- Runtime tables: the job ledger, clock cursors, pauses, outbox, inbox, chat state.
-- Every instant is timestamptz; the WIB day is derived, never stored naive.

CREATE TABLE job_run (
    job_key      text        NOT NULL,
    fire_time    timestamptz NOT NULL,
    status       text        NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'skipped', 'missed')),
    reason       text        NOT NULL DEFAULT '',
    claimed_by   text,
    claimed_at   timestamptz,
    lease_until  timestamptz,
    attempts     integer     NOT NULL DEFAULT 0,
    finished_at  timestamptz,
    PRIMARY KEY (job_key, fire_time)
);
-- queued: dispatched (or owed) by the clock, not yet claimed by a worker.
CREATE INDEX job_run_open ON job_run (job_key) WHERE status IN ('queued', 'running');
CREATE INDEX job_run_recent ON job_run (fire_time DESC);

-- Fire times at or before handled_through are settled for a job; a restart resumes after it.
CREATE TABLE job_cursor (
    job_key          text PRIMARY KEY,
    handled_through  timestamptz NOT NULL
);

-- Admins may pause a job at run time; read inside the claim transaction (fail closed).
CREATE TABLE job_pause (
    job_key    text PRIMARY KEY,
    paused_by  text NOT NULL DEFAULT '',
    paused_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox (
    id               bigserial PRIMARY KEY,
    key              text        NOT NULL UNIQUE,   -- job|fire_time|recipient|part, or a reply key
    session          text        NOT NULL,
    recipient        text        NOT NULL,
    kind             text        NOT NULL,
    priority         smallint    NOT NULL DEFAULT 1,
    body             text        NOT NULL DEFAULT '',
    attachment       bytea,
    attachment_name  text,
    attachment_mime  text,
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'in_doubt', 'dead')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    wa_message_id    text,
    error            text        NOT NULL DEFAULT '',
    supersede_key    text,
    expires_at       timestamptz,
    job              text,
    fire_time        timestamptz,
    in_reply_to      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX outbox_drain ON outbox (session, priority, id) WHERE status = 'pending';
CREATE INDEX outbox_recipient ON outbox (recipient, id);

CREATE TABLE inbox (
    session      text        NOT NULL,
    message_id   text        NOT NULL,
    chat         text        NOT NULL,
    sender       text        NOT NULL,
    is_group     boolean     NOT NULL DEFAULT false,
    text         text        NOT NULL DEFAULT '',
    push_name    text        NOT NULL DEFAULT '',
    received_at  timestamptz NOT NULL,
    handled_at   timestamptz,
    seq          bigserial,
    PRIMARY KEY (session, message_id)
);
CREATE INDEX inbox_unhandled ON inbox (chat, seq) WHERE handled_at IS NULL;

CREATE TABLE chat_state (
    session     text        NOT NULL,
    chat        text        NOT NULL,
    state       jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session, chat)
);
