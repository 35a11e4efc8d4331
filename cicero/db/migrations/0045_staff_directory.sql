-- The staff directory (issue 17): a version per staff row for the dashboard's If-Match,
-- browser imports kept between preview and confirmation, and one audit trail.

-- Every change to a person bumps its version, whichever channel makes it (the dashboard, the
-- WhatsApp menus, an import, the last-role trigger): a writer that names no version gets the
-- next one, so an edit prepared on an older one is refused (412) instead of overwriting.
ALTER TABLE staff ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);

CREATE FUNCTION staff_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD AND NEW.version = OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER staff_next_version BEFORE UPDATE ON staff
    FOR EACH ROW EXECUTE FUNCTION staff_next_version();

-- Roles are part of a person: adding or dropping one is a new version too (one UPDATE per
-- statement, so an import adding 10,000 roles costs one pass).
CREATE FUNCTION staff_role_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE staff SET version = version + 1
     WHERE nrp IN (SELECT nrp FROM changed_roles);
    RETURN NULL;
END $$;
CREATE TRIGGER staff_role_added AFTER INSERT ON staff_role
    REFERENCING NEW TABLE AS changed_roles
    FOR EACH STATEMENT EXECUTE FUNCTION staff_role_next_version();
CREATE TRIGGER staff_role_dropped AFTER DELETE ON staff_role
    REFERENCING OLD TABLE AS changed_roles
    FOR EACH STATEMENT EXECUTE FUNCTION staff_role_next_version();

-- A browser import's file waits here between its preview and its confirmation (the plan is
-- made again from it, under lock, when confirmed); cleared once applied or abandoned.
ALTER TABLE staff_import
    ADD COLUMN file bytea,
    ADD COLUMN plan_digest text CHECK (plan_digest ~ '^[0-9a-f]{64}$');

-- One audit trail: the menus' staff_audit rows move into audit_log (api.md §5), which every
-- channel writes from now on.
INSERT INTO audit_log (at, actor, channel, action, entity, after, reason)
SELECT at,
       CASE WHEN by_phone LIKE 'web:%' THEN 'staff:' || nrp
            WHEN by_phone = '' THEN 'system'
            ELSE 'wa:' || split_part(by_phone, '@', 1) END,
       CASE WHEN by_phone LIKE 'web:%' THEN 'web' ELSE 'whatsapp' END,
       CASE field WHEN 'created' THEN 'staff.create'
                  WHEN 'role_dropped' THEN 'staff.roles'
                  WHEN 'password' THEN 'staff.password_set'
                  WHEN 'active' THEN 'staff.status'
                  ELSE 'staff.update' END,
       'staff:' || nrp,
       CASE field WHEN 'password' THEN NULL
                  WHEN 'role_dropped' THEN jsonb_build_object('role_dropped', value)
                  ELSE jsonb_build_object(field, value) END,
       'dipindahkan dari staff_audit'
  FROM staff_audit ORDER BY seq;
DROP TABLE staff_audit;

-- Append-only includes TRUNCATE (the row trigger of 0030 does not see it).
CREATE FUNCTION audit_log_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (TRUNCATE refused)';
END $$;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate();
