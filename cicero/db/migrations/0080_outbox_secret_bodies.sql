-- A message carrying a secret (an OTP code, a one-time password link) names in `body_after`
-- what its body becomes once settled: sent, or dead (expired, refused). The secret is then
-- no longer readable from the outbox, its backups or the ops pages. A trigger, so that no
-- writer of a final status can forget it (cicero/domain/delivery/outbox.py SETTLED).
ALTER TABLE outbox ADD COLUMN body_after text;

CREATE FUNCTION outbox_forget_secret() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body_after IS NOT NULL AND NEW.status IN ('sent', 'dead') THEN
        NEW.body := NEW.body_after;
        NEW.body_after := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER outbox_forget_secret BEFORE UPDATE OF status ON outbox
    FOR EACH ROW EXECUTE FUNCTION outbox_forget_secret();
