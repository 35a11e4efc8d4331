-- The official accounts' profiles, fetched once a WIB day per client and platform by the
-- ingestion (issue 17): followers are what the analytics divide by (engagement rate). A
-- failed fetch leaves its row with no counts and is tried again at a later ingestion the
-- same day, at most `attempts` 3 times; rows are never deleted (one a day per account).
CREATE TABLE account_profile (
    client_id    text        NOT NULL REFERENCES client (client_id) ON DELETE RESTRICT,
    platform     text        NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    wib_date     date        NOT NULL,
    handle       text        NOT NULL CHECK (handle ~ '^[a-z0-9._]{1,30}$'),
    followers    bigint      CHECK (followers >= 0),  -- NULL: unknown (failed, or not given)
    following    bigint      CHECK (following >= 0),
    media_count  bigint      CHECK (media_count >= 0),
    attempts     smallint    NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    error_class  text,                                 -- the last attempt's, NULL when it worked
    fetched_at   timestamptz NOT NULL,
    PRIMARY KEY (client_id, platform, wib_date)
);
-- The analytics read "the latest known count on or before a day" per account.
CREATE INDEX account_profile_known ON account_profile (client_id, platform, wib_date DESC)
    INCLUDE (followers) WHERE followers IS NOT NULL;
