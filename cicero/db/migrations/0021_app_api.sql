-- The staff app's API (api.md §2): URL keys of link reports, the Instagram profile cache.

-- §2.1 step 6: a URL key belongs to one report, whatever the post, kind or person. The
-- primary key is what makes racing submitters meet: one insert wins, the other conflicts.
-- The per-column unique indexes of 0002 compared raw text (`www.` and `?igsh=` slipped by)
-- and are replaced by it.
CREATE TABLE link_report_url (
    key      text   PRIMARY KEY CHECK (key ~ '^https://'),
    post_id  bigint NOT NULL,
    nrp      text   NOT NULL,
    field    text   NOT NULL CHECK (field IN ('instagram', 'facebook', 'twitter', 'tiktok', 'youtube')),
    FOREIGN KEY (post_id, nrp) REFERENCES link_report (post_id, nrp) ON DELETE CASCADE
);
CREATE INDEX link_report_url_report ON link_report_url (post_id, nrp);
DROP INDEX link_report_instagram, link_report_facebook, link_report_twitter,
           link_report_tiktok, link_report_youtube;

-- A7/A8: Instagram profiles as last fetched.
CREATE TABLE ig_profile (
    username         text        PRIMARY KEY CHECK (username ~ '^[a-z0-9._]{1,30}$'),
    full_name        text        NOT NULL DEFAULT '',
    post_count       bigint      CHECK (post_count >= 0),
    follower_count   bigint      CHECK (follower_count >= 0),
    following_count  bigint      CHECK (following_count >= 0),
    profile_pic_url  text        NOT NULL DEFAULT '',
    is_private       boolean     NOT NULL DEFAULT false,
    fetched_at       timestamptz NOT NULL
);

-- A8's upstream refreshes, counted per person and WIB day (RapidAPI quota is money).
CREATE TABLE ig_profile_refresh (
    nrp  text        NOT NULL REFERENCES staff (nrp) ON DELETE CASCADE,
    at   timestamptz NOT NULL
);
CREATE INDEX ig_profile_refresh_nrp ON ig_profile_refresh (nrp, at DESC);
