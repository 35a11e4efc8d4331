-- api.md §1 "Revocation": a member of staff deactivated, or moved to another client (a scope
-- change), loses every live token, whichever channel made the change (menus, imports, the
-- dashboard). The token check also reads `staff.active` per request; revoking keeps a later
-- reactivation from bringing old tokens back. revoked_at is the database's time: it only
-- records when, the check looks at whether.
CREATE FUNCTION staff_revoke_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.active AND NOT NEW.active) OR OLD.client_id IS DISTINCT FROM NEW.client_id THEN
        UPDATE auth_token
           SET revoked_at = now(),
               revoked_reason = CASE WHEN NEW.active THEN 'scope_changed' ELSE 'deactivated' END
         WHERE kind IN ('staff_access', 'staff_refresh') AND subject = NEW.nrp
           AND revoked_at IS NULL;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER staff_revoke_tokens AFTER UPDATE OF active, client_id ON staff
    FOR EACH ROW EXECUTE FUNCTION staff_revoke_tokens();
