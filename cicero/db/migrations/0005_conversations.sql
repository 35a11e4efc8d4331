-- What the menus keep beyond chat_state: OTP rows (never the code), OTP request times,
-- and an audit trail of staff changes made through WhatsApp.
CREATE TABLE otp_code (
    nrp         text PRIMARY KEY,
    email       text        NOT NULL,
    code_hash   text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    wrong       integer     NOT NULL DEFAULT 0
);

CREATE TABLE otp_request (
    nrp  text        NOT NULL,
    at   timestamptz NOT NULL
);
CREATE INDEX otp_request_recent ON otp_request (nrp, at DESC);

CREATE TABLE staff_audit (
    seq      bigserial PRIMARY KEY,
    nrp      text        NOT NULL,
    field    text        NOT NULL,
    value    text,
    by_phone text        NOT NULL DEFAULT '',
    at       timestamptz NOT NULL
);
