-- Incoming messages whose handling keeps failing (invariant 7): each try is counted before
-- it begins, the last error class is kept, and after a bounded number of tries the message
-- is set aside (handled_at and set_aside_at both set) so that nothing waits behind it.
ALTER TABLE inbox ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN last_error text NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN set_aside_at timestamptz;
CREATE INDEX inbox_set_aside ON inbox (session, chat, set_aside_at) WHERE set_aside_at IS NOT NULL;
-- The next message is the oldest unhandled one, or, behind a failed one, each chat's oldest.
DROP INDEX inbox_unhandled;
CREATE INDEX inbox_unhandled ON inbox (seq) WHERE handled_at IS NULL;
CREATE INDEX inbox_unhandled_chat ON inbox (session, chat, seq) WHERE handled_at IS NULL;
