-- The simulation driver's virtual now when it injects a crash (`crash_actor`): the session
-- actor the supervisor starts in place of the crashed one begins there, not at the run's
-- start, so its first transcript lines carry the right time. One row; unused in production.
CREATE TABLE sim_clock (
    only_row boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
    now      timestamptz NOT NULL
);
