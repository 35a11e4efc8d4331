-- Domain tables of data.md §1.1: clients, staff and roles, posts and their engagement,
-- link reports, task announcements, ingestion outcomes, directorate users, staff imports.
-- Evidence (posts, engagement, link reports) is never deleted: FKs to it are RESTRICT,
-- a post gone upstream only gets removed_at (§3.7).

CREATE TABLE client (
    client_id         text PRIMARY KEY CHECK (client_id ~ '^[A-Z0-9_]+$'),
    name              text        NOT NULL CHECK (name <> ''),
    type              text        NOT NULL CHECK (type IN ('ORG', 'DIREKTORAT')),
    active            boolean     NOT NULL DEFAULT true,
    -- handles are canonical (data.md §3.5) or NULL, never ''
    instagram         text        CHECK (instagram ~ '^[a-z0-9._]{1,30}$'),
    instagram_enabled boolean     NOT NULL DEFAULT true,
    tiktok            text        CHECK (tiktok ~ '^[a-z0-9._]{1,24}$'),
    tiktok_enabled    boolean     NOT NULL DEFAULT true,
    amplify_enabled   boolean     NOT NULL DEFAULT false,
    tiktok_secuid     text        CHECK (tiktok_secuid <> ''),
    operator_wa       text        CHECK (operator_wa ~ '^62\d{8,13}$'),
    super_wa          text[]      NOT NULL DEFAULT '{}'
                      CHECK (array_position(super_wa, NULL) IS NULL
                             AND (cardinality(super_wa) = 0
                                  OR array_to_string(super_wa, ',') ~ '^62\d{8,13}(,62\d{8,13})*$')),
    group_jid         text        CHECK (group_jid ~ '^\d{10,22}@g\.us$'),
    regional_id       text,
    parent_client_id  text        REFERENCES client (client_id) ON DELETE RESTRICT,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_instagram ON client (instagram) WHERE instagram IS NOT NULL;
CREATE INDEX client_tiktok ON client (tiktok) WHERE tiktok IS NOT NULL;

-- Satkers whose staff a directorate's recaps include.
CREATE TABLE client_directorate (
    client_id       text NOT NULL REFERENCES client (client_id) ON DELETE CASCADE,
    directorate_id  text NOT NULL REFERENCES client (client_id) ON DELETE CASCADE,
    PRIMARY KEY (client_id, directorate_id)
);
CREATE INDEX client_directorate_by_directorate ON client_directorate (directorate_id, client_id);

CREATE TABLE role (
    role_name  text PRIMARY KEY CHECK (role_name ~ '^[a-z0-9_]+$')
);
INSERT INTO role (role_name) VALUES
    ('operator'), ('ditbinmas'), ('ditlantas'), ('bidhumas'), ('ditsamapta'), ('ditintelkam');

CREATE TABLE staff (
    nrp         text PRIMARY KEY CHECK (nrp ~ '^\d{6,18}$'),
    name        text        NOT NULL CHECK (name <> '' AND name = upper(name)),
    rank        text        NOT NULL DEFAULT '' CHECK (rank = upper(rank)),
    unit        text        NOT NULL DEFAULT '' CHECK (unit = upper(unit)),      -- satfung
    position    text        NOT NULL DEFAULT '' CHECK (position = upper(position)), -- jabatan
    village     text        CHECK (village = upper(village)),
    client_id   text        NOT NULL REFERENCES client (client_id) ON DELETE RESTRICT,
    instagram   text        CHECK (instagram ~ '^[a-z0-9._]{1,30}$'),
    tiktok      text        CHECK (tiktok ~ '^[a-z0-9._]{1,24}$'),
    whatsapp    text        UNIQUE CHECK (whatsapp ~ '^62\d{8,13}$'),
    email       text        CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    active      boolean     NOT NULL DEFAULT true,
    exception   boolean     NOT NULL DEFAULT false,
    wa_opt_in   boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- One active person per handle (V2 let `@x` and `x` credit two people).
CREATE UNIQUE INDEX staff_instagram_active ON staff (instagram)
    WHERE active AND instagram IS NOT NULL;
CREATE UNIQUE INDEX staff_tiktok_active ON staff (tiktok)
    WHERE active AND tiktok IS NOT NULL;
CREATE INDEX staff_client ON staff (client_id, unit) WHERE active;

CREATE TABLE staff_role (
    nrp        text NOT NULL REFERENCES staff (nrp) ON DELETE CASCADE,
    role_name  text NOT NULL REFERENCES role (role_name) ON DELETE RESTRICT,
    PRIMARY KEY (nrp, role_name)
);
CREATE INDEX staff_role_by_role ON staff_role (role_name, nrp);

-- Losing the last role deactivates the person. Checked at commit, so replacing a
-- person's roles (delete, then insert) inside one transaction does not trip it.
CREATE FUNCTION staff_role_last_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE staff SET active = false, updated_at = now()
     WHERE nrp = OLD.nrp AND active
       AND NOT EXISTS (SELECT 1 FROM staff_role WHERE nrp = OLD.nrp);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER staff_role_last_removed
    AFTER DELETE ON staff_role DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION staff_role_last_removed();

CREATE TABLE post (
    id               bigserial PRIMARY KEY,
    platform         text        NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    external_id      text        NOT NULL CHECK (external_id <> ''),  -- shortcode / video id
    client_id        text        NOT NULL REFERENCES client (client_id) ON DELETE RESTRICT,
    kind             text        NOT NULL DEFAULT 'routine' CHECK (kind IN ('routine', 'special')),
    caption          text,
    author           text,                 -- the account that listed it, as upstream said
    posted_at        timestamptz NOT NULL,
    wib_date         date        NOT NULL
                     GENERATED ALWAYS AS ((posted_at AT TIME ZONE 'Asia/Jakarta')::date) STORED,
    like_count       bigint      CHECK (like_count >= 0),     -- NULL: unknown, not zero
    comment_count    bigint      CHECK (comment_count >= 0),
    view_count       bigint      CHECK (view_count >= 0),
    share_count      bigint      CHECK (share_count >= 0),
    media            jsonb       NOT NULL DEFAULT '{}',
    first_seen_at    timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    removed_at       timestamptz,
    -- consecutive complete listings of its client that lacked it (§3.7: two → removed)
    missed_listings  smallint    NOT NULL DEFAULT 0 CHECK (missed_listings >= 0),
    UNIQUE (platform, external_id),
    CHECK (last_seen_at >= first_seen_at)
);
CREATE INDEX post_client_day ON post (client_id, platform, wib_date);
CREATE INDEX post_day ON post (wib_date, platform);

-- A post is also a task for the directorate of that role (config or menu writes it).
CREATE TABLE post_tag (
    post_id    bigint NOT NULL REFERENCES post (id) ON DELETE RESTRICT,
    role_name  text   NOT NULL REFERENCES role (role_name) ON DELETE RESTRICT,
    PRIMARY KEY (post_id, role_name)
);
CREATE INDEX post_tag_by_role ON post_tag (role_name, post_id);

-- One row per (post, kind, real upstream name); the union over fetches, never deleted.
CREATE TABLE engagement (
    post_id        bigint      NOT NULL REFERENCES post (id) ON DELETE RESTRICT,
    kind           text        NOT NULL CHECK (kind IN ('like', 'comment')),
    username       text        NOT NULL CHECK (username ~ '^[a-z0-9._]{1,30}$'),
    first_seen_at  timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    PRIMARY KEY (post_id, kind, username),
    CHECK (last_seen_at >= first_seen_at)
);
CREATE INDEX engagement_username ON engagement (username, kind, post_id);

-- One row per liker/commenter fetch of a post; pruned after 90 days.
CREATE TABLE engagement_fetch (
    id           bigserial PRIMARY KEY,
    post_id      bigint      NOT NULL REFERENCES post (id) ON DELETE RESTRICT,
    kind         text        NOT NULL CHECK (kind IN ('like', 'comment')),
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    outcome      text        NOT NULL CHECK (outcome IN ('complete', 'truncated', 'failed')),
    pages        integer     NOT NULL DEFAULT 0 CHECK (pages >= 0),
    items        integer     NOT NULL DEFAULT 0 CHECK (items >= 0),
    skipped      integer     NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    error_class  text        CHECK (error_class IN
                     ('rate_limited', 'server', 'timeout', 'auth', 'malformed', 'unavailable')),
    CHECK ((outcome = 'failed') = (error_class IS NOT NULL))
);
CREATE INDEX engagement_fetch_post ON engagement_fetch (post_id, kind, started_at DESC);
CREATE INDEX engagement_fetch_age ON engagement_fetch (started_at);

CREATE TABLE link_report (
    post_id         bigint      NOT NULL REFERENCES post (id) ON DELETE RESTRICT,
    nrp             text        NOT NULL REFERENCES staff (nrp) ON DELETE RESTRICT,
    instagram_link  text        CHECK (instagram_link ~ '^https://'),
    facebook_link   text        CHECK (facebook_link ~ '^https://'),
    twitter_link    text        CHECK (twitter_link ~ '^https://'),
    tiktok_link     text        CHECK (tiktok_link ~ '^https://'),
    youtube_link    text        CHECK (youtube_link ~ '^https://'),
    reported_at     timestamptz NOT NULL DEFAULT now(),  -- submission time, not the post's
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, nrp)
);
-- A URL already reported (by anyone, for any post) is refused (data.md §4.7).
CREATE UNIQUE INDEX link_report_instagram ON link_report (instagram_link) WHERE instagram_link IS NOT NULL;
CREATE UNIQUE INDEX link_report_facebook ON link_report (facebook_link) WHERE facebook_link IS NOT NULL;
CREATE UNIQUE INDEX link_report_twitter ON link_report (twitter_link) WHERE twitter_link IS NOT NULL;
CREATE UNIQUE INDEX link_report_tiktok ON link_report (tiktok_link) WHERE tiktok_link IS NOT NULL;
CREATE UNIQUE INDEX link_report_youtube ON link_report (youtube_link) WHERE youtube_link IS NOT NULL;
CREATE INDEX link_report_nrp ON link_report (nrp, reported_at);
CREATE INDEX link_report_reported ON link_report (reported_at);

-- Posts the task broadcast already showed; written with the outbox row (§3.3).
CREATE TABLE task_announcement (
    client_id     text        NOT NULL REFERENCES client (client_id) ON DELETE RESTRICT,
    wib_date      date        NOT NULL,
    post_id       bigint      NOT NULL REFERENCES post (id) ON DELETE RESTRICT,
    announced_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, wib_date, post_id)
);

-- One row per (platform, client, stage) run; a failed latest run marks recaps incomplete.
CREATE TABLE ingest_run (
    id           bigserial PRIMARY KEY,
    platform     text        NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    client_id    text        NOT NULL REFERENCES client (client_id) ON DELETE RESTRICT,
    stage        text        NOT NULL CHECK (stage IN ('profile', 'posts', 'likers', 'comments')),
    fire_time    timestamptz,           -- the job's fire time; NULL for a manual fetch
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    outcome      text        NOT NULL DEFAULT 'running' CHECK (outcome IN
                     ('running', 'complete', 'truncated', 'empty', 'failed', 'unavailable', 'skipped')),
    pages        integer     NOT NULL DEFAULT 0 CHECK (pages >= 0),
    posts        integer     NOT NULL DEFAULT 0 CHECK (posts >= 0),
    new_posts    integer     NOT NULL DEFAULT 0 CHECK (new_posts >= 0),
    engagements  integer     NOT NULL DEFAULT 0 CHECK (engagements >= 0),
    skipped      integer     NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    error_class  text        CHECK (error_class IN
                     ('rate_limited', 'server', 'timeout', 'auth', 'malformed', 'unavailable')),
    reason       text        NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX ingest_run_once ON ingest_run (platform, client_id, stage, fire_time)
    WHERE fire_time IS NOT NULL;
CREATE INDEX ingest_run_latest ON ingest_run (client_id, platform, stage, started_at DESC);

-- Who may open the directorate menu (menus.md §1.2).
CREATE TABLE directorate_user (
    whatsapp          text        NOT NULL CHECK (whatsapp ~ '^62\d{8,13}$'),
    role_name         text        NOT NULL REFERENCES role (role_name) ON DELETE RESTRICT
                                  CHECK (role_name <> 'operator'),
    extra_client_ids  text[]      NOT NULL DEFAULT '{}',
    name              text        NOT NULL DEFAULT '',
    active            boolean     NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (whatsapp, role_name)
);

-- A staff import batch (data.md §5) and its per-row outcome.
CREATE TABLE staff_import (
    id               bigserial PRIMARY KEY,
    client_id        text        NOT NULL REFERENCES client (client_id) ON DELETE RESTRICT,
    file_name        text        NOT NULL DEFAULT '',
    file_sha256      text        NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    sender           text        NOT NULL DEFAULT '',  -- WhatsApp number or 'cli'
    applied          boolean     NOT NULL DEFAULT false,
    new_count        integer     NOT NULL DEFAULT 0,
    changed_count    integer     NOT NULL DEFAULT 0,
    unchanged_count  integer     NOT NULL DEFAULT 0,
    error_count      integer     NOT NULL DEFAULT 0,
    warning_count    integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    applied_at       timestamptz
);
CREATE INDEX staff_import_client ON staff_import (client_id, created_at DESC);

CREATE TABLE staff_import_row (
    import_id   bigint  NOT NULL REFERENCES staff_import (id) ON DELETE CASCADE,
    row_number  integer NOT NULL CHECK (row_number >= 2),  -- spreadsheet row; header = 1
    nrp         text,
    action      text    NOT NULL CHECK (action IN ('new', 'changed', 'unchanged', 'error')),
    messages    text[]  NOT NULL DEFAULT '{}',
    PRIMARY KEY (import_id, row_number)
);
