-- What is known of each upstream host (data.md §2.1, §3.8; api.md "Upstream per host"),
-- kept here so a restarted ingestor still honours a 429 pause and a spent daily budget,
-- and /healthz shows it. One row per host = one endpoint and its key.
-- Writers merge (later day, more calls that day, later stamps): see domain/ingestion/limits.py.
CREATE TABLE upstream_host (
    name            text        PRIMARY KEY
                                CHECK (name IN ('instagram', 'instagram_fallback',
                                                'tiktok', 'tiktok_fallback')),
    host            text        NOT NULL DEFAULT '',   -- the x-rapidapi-host last called
    calls_day       date,                              -- the WIB day `calls` counts
    calls           integer     NOT NULL DEFAULT 0 CHECK (calls >= 0),
    daily_budget    integer     CHECK (daily_budget > 0),  -- as configured at the last write
    paused_until    timestamptz,                       -- 429 after retries: nothing sent before
    last_success_at timestamptz,
    last_error_at   timestamptz,
    last_error      text,                              -- "class: detail"
    updated_at      timestamptz NOT NULL
);
