-- gigalert initial schema. The unique constraints are what make duplicates impossible:
-- gigs (platform_id, external_id), alerts (freelancer_id, gig_id), deliveries (alert_id, channel_id).

CREATE TABLE platforms (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    api_key_hash    bytea NOT NULL UNIQUE,
    api_key_prefix  text NOT NULL,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE gigs (
    id                  uuid PRIMARY KEY,
    platform_id         uuid NOT NULL REFERENCES platforms (id),
    external_id         text NOT NULL,
    title               text NOT NULL,
    description         text NOT NULL DEFAULT '',
    url                 text,
    domains             text[] NOT NULL DEFAULT '{}',
    skills              text[] NOT NULL DEFAULT '{}',
    remote_mode         text CHECK (remote_mode IN ('remote', 'hybrid', 'onsite')),
    location            text,
    rate_min_jpy_h      integer,
    rate_max_jpy_h      integer,
    rate_source         jsonb NOT NULL DEFAULT '{}',
    days_per_week_min   real,
    days_per_week_max   real,
    language            text,
    posted_at           timestamptz,
    expires_at          timestamptz,
    received_at         timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    content_hash        text NOT NULL,
    search_text         text NOT NULL DEFAULT '',
    body                jsonb NOT NULL,
    CONSTRAINT gigs_platform_external_key UNIQUE (platform_id, external_id)
);
CREATE INDEX gigs_received_at_idx ON gigs (received_at);

-- Transactional outbox: rows written in the same transaction as the business rows,
-- published to Kafka by a relay, then marked.
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    topic         text NOT NULL,
    key           bytea,
    payload       bytea NOT NULL,
    headers       jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE freelancers (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    locale        text NOT NULL DEFAULT 'ja' CHECK (locale IN ('ja', 'en')),
    timezone      text NOT NULL DEFAULT 'Asia/Tokyo',
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE channels (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    freelancer_id         uuid NOT NULL REFERENCES freelancers (id) ON DELETE CASCADE,
    kind                  text NOT NULL CHECK (kind IN ('email', 'line', 'slack')),
    target                text NOT NULL,
    secret_encrypted      bytea,
    active                boolean NOT NULL DEFAULT true,
    consecutive_failures  integer NOT NULL DEFAULT 0,
    disabled_reason       text,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channels_freelancer_idx ON channels (freelancer_id);

CREATE TABLE subscriptions (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    freelancer_id         uuid NOT NULL REFERENCES freelancers (id) ON DELETE CASCADE,
    name                  text NOT NULL,
    remote_modes          text[] NOT NULL DEFAULT '{remote,hybrid,onsite}',
    min_rate_jpy_h        integer CHECK (min_rate_jpy_h >= 0),
    include_unknown_rate  boolean NOT NULL DEFAULT true,
    domains               text[] NOT NULL DEFAULT '{}',
    keywords_any          text[] NOT NULL DEFAULT '{}',
    keywords_none         text[] NOT NULL DEFAULT '{}',
    max_days_per_week     real CHECK (max_days_per_week > 0 AND max_days_per_week <= 7),
    locations             text[] NOT NULL DEFAULT '{}',
    frequency             text NOT NULL DEFAULT 'instant' CHECK (frequency IN ('instant', 'digest')),
    digest_hour           smallint CHECK (digest_hour BETWEEN 0 AND 23),
    quiet_start           time,
    quiet_end             time,
    active                boolean NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_freelancer_idx ON subscriptions (freelancer_id);
CREATE INDEX subscriptions_active_rate_idx ON subscriptions (min_rate_jpy_h) WHERE active;
CREATE INDEX subscriptions_active_domains_idx ON subscriptions USING gin (domains) WHERE active;

-- Every change to a subscription, in order, so matcher replicas keep their index fresh.
CREATE TABLE subscription_changes (
    id               bigserial PRIMARY KEY,
    subscription_id  uuid NOT NULL,
    changed_at       timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION subscriptions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change_id bigint;
BEGIN
    INSERT INTO subscription_changes (subscription_id)
    VALUES (COALESCE(NEW.id, OLD.id)) RETURNING id INTO change_id;
    PERFORM pg_notify('subscription_changes', change_id::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER subscriptions_changed_trg
    AFTER INSERT OR UPDATE OR DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION subscriptions_changed();

CREATE TABLE alerts (
    id                uuid PRIMARY KEY,
    freelancer_id     uuid NOT NULL REFERENCES freelancers (id) ON DELETE CASCADE,
    gig_id            uuid NOT NULL,
    subscription_ids  uuid[] NOT NULL,
    reasons           jsonb NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alerts_freelancer_gig_key UNIQUE (freelancer_id, gig_id)
);
CREATE INDEX alerts_gig_idx ON alerts (gig_id);

CREATE TABLE deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    alert_id         uuid NOT NULL,
    channel_id       uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    freelancer_id    uuid NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead')),
    frequency        text NOT NULL DEFAULT 'instant' CHECK (frequency IN ('instant', 'digest')),
    payload          jsonb NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    last_error       text,
    sent_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deliveries_alert_channel_key UNIQUE (alert_id, channel_id)
);
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at)
    WHERE status IN ('pending', 'failed', 'sending');
CREATE INDEX deliveries_dead_idx ON deliveries (created_at) WHERE status = 'dead';
