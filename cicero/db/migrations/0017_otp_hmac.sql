-- OTP codes were stored as unsalted SHA-256, which gives a code back from its hash at once
-- (there are only 10^6 codes). They are now HMAC-SHA256 keyed with the server secret
-- (CICERO_SECRET_KEY or <data_dir>/secret.key). An old hash cannot be rekeyed without its
-- code, so the codes outstanding at the upgrade (each lives 5 minutes) are dropped: their
-- owners are told the code is no longer valid ("tidak berlaku lagi") and ask again.
DELETE FROM otp_code;

-- A mail row's body holds its code until the row is finished. Sent and refused rows were
-- already redacted; rows a crash left in_doubt and rows that expired unsent were not.
UPDATE outbox
   SET body = split_part(body, E'\n\n', 1) || E'\n\n[redacted]'
 WHERE session = 'mail' AND status IN ('sent', 'dead', 'in_doubt')
   AND body NOT LIKE '%[redacted]';
