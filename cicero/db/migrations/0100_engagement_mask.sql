-- Attendance's done sets without reading every engagement row (issue 18, bench/recap.py).
--
-- A recap asks, per member of staff, which of the scope's posts P their handle engaged with.
-- Read from engagement that is one index entry per (post, name): ~460,000 for 20,000 staff
-- x 40 posts, hashed into one group per name, ~110 ms of the server per recap. Here the same
-- facts are kept grouped: per client, platform, WIB day, kind and name, the mask of the
-- client's posts of that day the name engaged with (bit `day_seq`), so a recap reads one row
-- per name. Triggers keep it equal to engagement whoever writes there (the ingestor, the
-- simulator's seed, tests), in the same transaction:
--
-- * each post gets `day_seq`, its place among its client's posts of that platform and day
--   (0, 1, 2… in the order they were stored; a post's client, platform and time never
--   change, so neither does its place); only places 0..62 have a bit (a bigint, kept
--   positive), posts beyond are read from engagement by the recap;
-- * rows inserted into engagement OR their post's bit into the mask; `seen_until` is the
--   latest first_seen_at among them, so a recap with an earlier cut-off knows the mask may
--   hold later sightings and reads that name from engagement instead;
-- * rows deleted (compaction deletes whole days) recompute their client-days' masks;
-- * engagement's key and first_seen_at are never updated (a re-fetch moves last_seen_at
--   only), now enforced, as is a post's client, platform and time.
ALTER TABLE post ADD COLUMN day_seq smallint CHECK (day_seq >= 0);
UPDATE post p SET day_seq = x.seq
  FROM (SELECT id, row_number() OVER (PARTITION BY client_id, platform, wib_date ORDER BY id) - 1
               AS seq FROM post) x
 WHERE x.id = p.id;
ALTER TABLE post ALTER COLUMN day_seq SET NOT NULL;

-- The next place of the post's client, platform and day, under a lock held to the end of the
-- transaction so two writers of the same day cannot take the same place. An upsert of a
-- known post also passes here (its row then goes to ON CONFLICT and the place is dropped).
CREATE FUNCTION post_day_seq() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    day date := (NEW.posted_at AT TIME ZONE 'Asia/Jakarta')::date;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(
        'post_day_seq ' || NEW.client_id || ' ' || NEW.platform || ' ' || day::text, 0));
    SELECT coalesce(max(p.day_seq) + 1, 0) INTO NEW.day_seq
      FROM post p
     WHERE p.client_id = NEW.client_id AND p.platform = NEW.platform AND p.wib_date = day;
    RETURN NEW;
END
$$;
CREATE TRIGGER post_day_seq BEFORE INSERT ON post
    FOR EACH ROW EXECUTE FUNCTION post_day_seq();

CREATE FUNCTION post_place_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a post''s client, platform, time and day_seq never change (engagement_mask)'
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER post_place_fixed BEFORE UPDATE OF client_id, platform, posted_at, day_seq ON post
    FOR EACH ROW
    WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id OR OLD.platform IS DISTINCT FROM NEW.platform
          OR OLD.posted_at IS DISTINCT FROM NEW.posted_at OR OLD.day_seq IS DISTINCT FROM NEW.day_seq)
    EXECUTE FUNCTION post_place_fixed();

CREATE TABLE engagement_mask (
    client_id  text        NOT NULL,  -- the posts' client (post.client_id)
    platform   text        NOT NULL,
    wib_date   date        NOT NULL,
    kind       text        COLLATE "C" NOT NULL,
    username   text        COLLATE "C" NOT NULL,
    mask       bigint      NOT NULL CHECK (mask > 0),  -- bit day_seq: engaged with that post
    seen_until timestamptz NOT NULL,  -- the latest first_seen_at of the rows in the mask
    PRIMARY KEY (client_id, platform, wib_date, kind, username)
);

INSERT INTO engagement_mask
SELECT p.client_id, p.platform, p.wib_date, e.kind, e.username,
       bit_or(1::bigint << p.day_seq), max(e.first_seen_at)
  FROM engagement e JOIN post p ON p.id = e.post_id
 WHERE p.day_seq < 63
 GROUP BY 1, 2, 3, 4, 5;

CREATE FUNCTION engagement_mask_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In key order: two writers of the same rows lock them in the same order.
    INSERT INTO engagement_mask AS m
    SELECT p.client_id, p.platform, p.wib_date, n.kind, n.username,
           bit_or(1::bigint << p.day_seq), max(n.first_seen_at)
      FROM added n JOIN post p ON p.id = n.post_id
     WHERE p.day_seq < 63
     GROUP BY 1, 2, 3, 4, 5
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (client_id, platform, wib_date, kind, username) DO UPDATE
       SET mask = m.mask | EXCLUDED.mask,
           seen_until = greatest(m.seen_until, EXCLUDED.seen_until);
    RETURN NULL;
END
$$;
CREATE TRIGGER engagement_mask_add AFTER INSERT ON engagement
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION engagement_mask_add();

CREATE FUNCTION engagement_mask_recount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM engagement_mask m
     USING (SELECT DISTINCT post_id FROM removed) r JOIN post p ON p.id = r.post_id
     WHERE (m.client_id, m.platform, m.wib_date) = (p.client_id, p.platform, p.wib_date);
    INSERT INTO engagement_mask
    SELECT p.client_id, p.platform, p.wib_date, e.kind, e.username,
           bit_or(1::bigint << p.day_seq), max(e.first_seen_at)
      FROM (SELECT DISTINCT x.client_id, x.platform, x.wib_date
              FROM (SELECT DISTINCT post_id FROM removed) r JOIN post x ON x.id = r.post_id) d
      JOIN post p ON (p.client_id, p.platform, p.wib_date) = (d.client_id, d.platform, d.wib_date)
      JOIN engagement e ON e.post_id = p.id
     WHERE p.day_seq < 63
     GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END
$$;
CREATE TRIGGER engagement_mask_recount AFTER DELETE ON engagement
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION engagement_mask_recount();

CREATE FUNCTION engagement_mask_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE engagement_mask;
    RETURN NULL;
END
$$;
CREATE TRIGGER engagement_mask_clear AFTER TRUNCATE ON engagement
    FOR EACH STATEMENT EXECUTE FUNCTION engagement_mask_clear();

CREATE FUNCTION engagement_key_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an engagement row''s post, kind, username and first_seen_at never change'
        USING ERRCODE = 'restrict_violation';
END
$$;
-- Only statements that set these columns fire it: the re-fetch's update of last_seen_at
-- costs nothing here.
CREATE TRIGGER engagement_key_fixed BEFORE UPDATE OF post_id, kind, username, first_seen_at
    ON engagement
    FOR EACH ROW
    WHEN (OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.kind IS DISTINCT FROM NEW.kind
          OR OLD.username IS DISTINCT FROM NEW.username
          OR OLD.first_seen_at IS DISTINCT FROM NEW.first_seen_at)
    EXECUTE FUNCTION engagement_key_fixed();
