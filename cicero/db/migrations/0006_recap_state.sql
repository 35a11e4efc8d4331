-- Day-scoped state of the scheduled sends (jobs.md §2.1), written in the same transaction
-- as the outbox rows it stands for, so a restart neither repeats nor loses a send.

-- The post set of a client's last queued task broadcast on a WIB day; the next run sends
-- only when today's set differs from it, marking posts absent from it [BARU].
CREATE TABLE broadcast_state (
    client_id  text        NOT NULL REFERENCES client (client_id) ON DELETE CASCADE,
    wib_date   date        NOT NULL,
    post_ids   bigint[]    NOT NULL,
    fire_time  timestamptz NOT NULL,   -- the run that queued it
    queued_at  timestamptz NOT NULL,
    PRIMARY KEY (client_id, wib_date)
);

-- One row per person's chat per reminder scope and day: the last stage sent, and whether
-- the person had done everything then (no further reminders that day).
CREATE TABLE reminder_state (
    wib_date   date        NOT NULL,
    chat       text        NOT NULL,   -- the person's WhatsApp number
    client_id  text        NOT NULL,   -- the reminder scope (reminder.clients)
    stage      text        NOT NULL CHECK (stage IN ('initial', 'followup1', 'followup2')),
    complete   boolean     NOT NULL,
    outbox_key text        NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (wib_date, chat, client_id)
);
CREATE INDEX reminder_state_age ON reminder_state (wib_date);
