-- Job runs counted as the ledger settles them, for /metrics (cicero_job_runs_total and
-- cicero_job_duration_seconds): the ledger is the truth of a run's outcome whichever actor
-- settled it (a worker, the clock after a crash or a missed fire time), and these totals
-- outlive restarts and the ledger's retention, so the counters never go back.

-- The duration histogram's bucket bounds in seconds (cicero.domain.runtime.series.JOB_SECONDS).
CREATE FUNCTION job_run_tally_bounds() RETURNS double precision[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY[0.1, 1, 5, 15, 60, 300, 900, 1800, 3600]::double precision[]
$$;

-- A ledger key as a metric label: a job's key or a part's `job/part` as they are; a longer
-- key (a fetch asked from a menu holds its chat and message) by its first segment only.
CREATE FUNCTION job_run_tally_label(key text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN key ~ '^[A-Za-z][A-Za-z0-9_.-]*(/[A-Za-z][A-Za-z0-9_.-]*)?$' THEN key
        WHEN split_part(key, '/', 1) ~ '^[A-Za-z][A-Za-z0-9_.-]*$' THEN split_part(key, '/', 1)
        ELSE 'other'
    END
$$;

CREATE TABLE job_run_tally (
    job      text             NOT NULL,  -- job_run_tally_label(job_run.job_key)
    outcome  text             NOT NULL,  -- done | failed | skipped | missed
    runs     bigint           NOT NULL DEFAULT 0,
    timed    bigint           NOT NULL DEFAULT 0,  -- done or failed after a claim: the histogram's
    seconds  double precision NOT NULL DEFAULT 0,  -- their claim-to-finish time, summed
    slots    bigint[]         NOT NULL,  -- timed runs per bucket of the bounds, then above them
    PRIMARY KEY (job, outcome)
);

CREATE FUNCTION job_run_tally_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bounds double precision[] := job_run_tally_bounds();
    secs double precision;
    slot integer;  -- 1-based: the first bound >= secs, or one past the last
BEGIN
    IF NEW.status NOT IN ('done', 'failed', 'skipped', 'missed')
       OR (TG_OP = 'UPDATE' AND OLD.status IN ('done', 'failed', 'skipped', 'missed')) THEN
        RETURN NULL;  -- not settled now (a settled row never changes again)
    END IF;
    IF NEW.status IN ('done', 'failed') AND NEW.claimed_at IS NOT NULL
       AND NEW.finished_at IS NOT NULL THEN
        secs := greatest(0, extract(epoch FROM NEW.finished_at - NEW.claimed_at));
        slot := 1 + (SELECT count(*) FROM unnest(bounds) AS b WHERE b < secs);
    END IF;
    INSERT INTO job_run_tally AS t (job, outcome, runs, timed, seconds, slots)
    VALUES (
        job_run_tally_label(NEW.job_key), NEW.status, 1, (slot IS NOT NULL)::integer,
        coalesce(secs, 0),
        ARRAY(SELECT (i = slot)::integer FROM generate_series(1, cardinality(bounds) + 1) AS i)
    )
    ON CONFLICT (job, outcome) DO UPDATE SET
        runs = t.runs + 1,
        timed = t.timed + EXCLUDED.timed,
        seconds = t.seconds + EXCLUDED.seconds,
        slots = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0)
                      FROM unnest(t.slots, EXCLUDED.slots) WITH ORDINALITY AS u(a, b, i)
                      ORDER BY i);
    RETURN NULL;
END
$$;

CREATE TRIGGER job_run_tally AFTER INSERT OR UPDATE OF status ON job_run
    FOR EACH ROW EXECUTE FUNCTION job_run_tally_add();
