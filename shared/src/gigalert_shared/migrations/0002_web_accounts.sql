-- The freelancer's side (services/web): accounts by email magic link, server-side sessions,
-- API tokens, channels that receive nothing until proven, per-search channels, single-use
-- unsubscribe links, and rate-limit events shared by every web replica.

-- The login address; an account made through the old API has none until it logs in by mail.
ALTER TABLE freelancers ADD COLUMN email text CHECK (length(email) <= 254);
CREATE UNIQUE INDEX freelancers_email_key ON freelancers (lower(email)) WHERE email IS NOT NULL;
ALTER TABLE freelancers ALTER COLUMN token_hash DROP NOT NULL;

-- API tokens for scripts: many per account, each with a label, shown once, stored hashed.
CREATE TABLE api_tokens (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    freelancer_id  uuid NOT NULL REFERENCES freelancers (id) ON DELETE CASCADE,
    label          text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    token_hash     bytea NOT NULL UNIQUE,
    token_prefix   text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_used_at   timestamptz,
    revoked_at     timestamptz
);
CREATE INDEX api_tokens_freelancer_idx ON api_tokens (freelancer_id);
INSERT INTO api_tokens (freelancer_id, label, token_hash, token_prefix, created_at)
SELECT id, 'API', token_hash, 'gt_', created_at FROM freelancers WHERE token_hash IS NOT NULL;

-- One-time links sent by mail: login (also sign-up and recovery), confirming a further
-- email channel, confirming the deletion of an account. Only the hash is stored.
CREATE TABLE mail_links (
    token_hash     bytea PRIMARY KEY,
    purpose        text NOT NULL CHECK (purpose IN ('login', 'confirm_email', 'delete_account')),
    email          text NOT NULL,
    freelancer_id  uuid REFERENCES freelancers (id) ON DELETE CASCADE,
    channel_id     uuid,
    requested_ip   text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz
);
CREATE INDEX mail_links_email_idx ON mail_links (lower(email), created_at);
CREATE INDEX mail_links_expires_idx ON mail_links (expires_at);

CREATE TABLE web_sessions (
    id_hash        bytea PRIMARY KEY,
    freelancer_id  uuid NOT NULL REFERENCES freelancers (id) ON DELETE CASCADE,
    csrf_token     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    user_agent     text,
    ip             text
);
CREATE INDEX web_sessions_freelancer_idx ON web_sessions (freelancer_id);

-- Channels: proven (verified_at) before they receive anything; paused by their owner;
-- `active` stays the system's switch (repeated permanent failures, a LINE unfollow).
ALTER TABLE channels ADD COLUMN verified_at timestamptz;
ALTER TABLE channels ADD COLUMN verified_ip text;
ALTER TABLE channels ADD COLUMN paused boolean NOT NULL DEFAULT false;
ALTER TABLE channels ADD COLUMN last_error text;
ALTER TABLE channels ADD COLUMN last_error_at timestamptz;
ALTER TABLE channels ADD COLUMN link_code_hash bytea;
ALTER TABLE channels ADD COLUMN link_code_expires_at timestamptz;
ALTER TABLE channels ALTER COLUMN target DROP NOT NULL;
-- Channels made before proofs existed: Slack and LINE ones were given by their owners'
-- credentials; email addresses were never confirmed and stay unproven.
UPDATE channels SET verified_at = created_at WHERE kind IN ('slack', 'line');
-- An address or a LINE user is a proven channel of one account only.
CREATE UNIQUE INDEX channels_proven_email_key ON channels (lower(target))
    WHERE kind = 'email' AND verified_at IS NOT NULL;
CREATE UNIQUE INDEX channels_proven_line_key ON channels (target)
    WHERE kind = 'line' AND verified_at IS NOT NULL;
CREATE UNIQUE INDEX channels_link_code_key ON channels (link_code_hash)
    WHERE link_code_hash IS NOT NULL;

-- Per search, its channels; NULL = every channel of the account.
ALTER TABLE subscriptions ADD COLUMN channel_ids uuid[];
ALTER TABLE subscriptions ADD COLUMN weekly_day smallint CHECK (weekly_day BETWEEN 0 AND 6);
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_frequency_check;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_frequency_check
    CHECK (frequency IN ('instant', 'digest', 'weekly'));
ALTER TABLE deliveries DROP CONSTRAINT deliveries_frequency_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_frequency_check
    CHECK (frequency IN ('instant', 'digest', 'weekly'));

-- An unsubscribe link (signed over its alert id) works once; undo restores what it paused.
CREATE TABLE unsubscribe_uses (
    alert_id          uuid PRIMARY KEY,
    freelancer_id     uuid NOT NULL REFERENCES freelancers (id) ON DELETE CASCADE,
    subscription_ids  uuid[] NOT NULL,
    used_at           timestamptz NOT NULL DEFAULT now(),
    undone_at         timestamptz
);

-- Rate-limit events (sign-up, mails per address and per IP, link-code attempts), counted
-- over a window; pruned as they age out.
CREATE TABLE rate_events (
    bucket  text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rate_events_bucket_idx ON rate_events (bucket, at);

-- Alert mails sent to one address on one day (the per-address daily cap).
CREATE TABLE email_daily_counts (
    address  text NOT NULL,
    day      date NOT NULL,
    sent     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (address, day)
);
