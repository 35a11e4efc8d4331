-- A report's URL keys go with the report through a trigger instead of a foreign key.
--
-- The key rows are written only together with their report (one statement in the app's
-- submission, one transaction for a simulated report), so the foreign key's check guarded
-- nothing those writers do not already ensure, and it cost more than the rest of the
-- submission: PostgreSQL's check of each key row against its report took ~0.3 ms of server
-- CPU a report (0.53 ms with it, 0.23 without; 5,000 reports over 8 connections). What
-- the key still needs from its report is to disappear with it (a deleted wrong report frees
-- its links to be reported again): the trigger below, in the deleting transaction.
ALTER TABLE link_report_url DROP CONSTRAINT link_report_url_post_id_nrp_fkey;

CREATE FUNCTION link_report_drop_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM link_report_url WHERE post_id = OLD.post_id AND nrp = OLD.nrp;
    RETURN NULL;
END $$;

CREATE TRIGGER link_report_drop_keys AFTER DELETE ON link_report
    FOR EACH ROW EXECUTE FUNCTION link_report_drop_keys();
