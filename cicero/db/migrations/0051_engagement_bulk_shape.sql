-- The engagement upsert writes tens of thousands of rows at a time (COPY into a staging table,
-- then one INSERT … ON CONFLICT). Per row, three things cost more than the write itself
-- (bench/ingest.py against the same statement on a table holding only the key, best of 4-5
-- runs): the foreign key's check of `post` (one lookup and row lock per row: the rate fell
-- to 0.44 of that table's), the username CHECK's regular expression (0.64) and the index on
-- (username, kind, post_id) (0.68). Each is replaced by an equal guarantee that costs less:
--
-- * `post` rows are never deleted (data.md §1.1, §3.7: `removed_at` marks a post gone), now
--   enforced for every statement by a trigger, and the only writer of engagement checks its
--   posts exist once per call (cicero.db.engagement.upsert_engagement); the per-row check
--   goes. Link reports keep their foreign key.
-- * The same rule as the regular expression `^[a-z0-9._]{1,30}$`, as a length and a trim of
--   the allowed characters (0.80 instead of 0.64).
-- * Look-ups by username (the complaint check) need the username only: a one-column index
--   is narrower and cheaper to fill than the three-column one.
-- * Handles and kinds compare byte by byte (COLLATE "C"): they are lowercase ASCII by their
--   checks, so the order is the same, and the key and the username index compare without
--   the locale's rules (the engagement upsert 0.48 -> 0.61 of the limit); it is also the
--   order Python sorts them in, so sorted rows fill the key page by page. Staff handles,
--   which attendance compares with engagement's usernames, get the same collation.
ALTER TABLE engagement DROP CONSTRAINT engagement_post_id_fkey;

CREATE FUNCTION post_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'posts are never deleted; removed_at marks a post gone upstream'
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER post_never_deleted BEFORE DELETE ON post
    FOR EACH STATEMENT EXECUTE FUNCTION post_never_deleted();

ALTER TABLE engagement
    DROP CONSTRAINT engagement_username_check,
    ADD CONSTRAINT engagement_username_check CHECK (
        length(username) BETWEEN 1 AND 30
        AND ltrim(username, 'abcdefghijklmnopqrstuvwxyz0123456789._') = '');

DROP INDEX engagement_username;
ALTER TABLE engagement
    ALTER COLUMN username TYPE text COLLATE "C",
    ALTER COLUMN kind TYPE text COLLATE "C";
CREATE INDEX engagement_username ON engagement (username);
ALTER TABLE staff
    ALTER COLUMN instagram TYPE text COLLATE "C",
    ALTER COLUMN tiktok TYPE text COLLATE "C";
