-- Every recap built, with what it counted: the evidence behind a message, shown to
-- ops and replayed as the transcript's `recap` lines in simulation.
CREATE TABLE recap_log (
    seq        bigserial PRIMARY KEY,
    job        text        NOT NULL,
    fire_time  timestamptz NOT NULL,
    report     text        NOT NULL,
    scope      text        NOT NULL,
    platform   text        NOT NULL,
    posts      jsonb       NOT NULL,   -- post external ids counted, in order
    people     jsonb       NOT NULL,   -- [{nrp, client, status, done, total}]
    built_at   timestamptz NOT NULL,
    UNIQUE (job, fire_time, report, scope, platform)
);
