-- insert_freelancer --
INSERT INTO freelancers (display_name, locale, timezone, token_hash)
VALUES ($1, $2, $3, $4)
RETURNING id, display_name, locale, timezone, created_at

-- freelancer_by_token_hash --
SELECT id, display_name, locale, timezone, created_at FROM freelancers WHERE token_hash = $1

-- insert_channel --
INSERT INTO channels (freelancer_id, kind, target, secret_encrypted)
VALUES ($1, $2, $3, $4)
RETURNING id, kind, target, active, consecutive_failures, disabled_reason, created_at

-- list_channels --
SELECT id, kind, target, active, consecutive_failures, disabled_reason, created_at
FROM channels WHERE freelancer_id = $1 ORDER BY created_at

-- count_channels --
SELECT count(*) FROM channels WHERE freelancer_id = $1

-- enable_channel --
UPDATE channels SET active = true, consecutive_failures = 0, disabled_reason = NULL
WHERE id = $1 AND freelancer_id = $2
RETURNING id, kind, target, active, consecutive_failures, disabled_reason, created_at

-- delete_channel --
DELETE FROM channels WHERE id = $1 AND freelancer_id = $2 RETURNING id

-- count_subscriptions --
SELECT count(*) FROM subscriptions WHERE freelancer_id = $1

-- insert_subscription --
INSERT INTO subscriptions (
    freelancer_id, name, remote_modes, min_rate_jpy_h, include_unknown_rate, domains,
    keywords_any, keywords_none, max_days_per_week, locations, frequency, digest_hour,
    quiet_start, quiet_end)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
RETURNING *

-- update_subscription --
UPDATE subscriptions SET
    name = $3, remote_modes = $4, min_rate_jpy_h = $5, include_unknown_rate = $6,
    domains = $7, keywords_any = $8, keywords_none = $9, max_days_per_week = $10,
    locations = $11, frequency = $12, digest_hour = $13, quiet_start = $14, quiet_end = $15,
    updated_at = now()
WHERE id = $1 AND freelancer_id = $2
RETURNING *

-- set_subscription_active --
UPDATE subscriptions SET active = $3, updated_at = now()
WHERE id = $1 AND freelancer_id = $2
RETURNING *

-- get_subscription --
SELECT * FROM subscriptions WHERE id = $1 AND freelancer_id = $2

-- list_subscriptions --
SELECT * FROM subscriptions WHERE freelancer_id = $1 ORDER BY created_at

-- delete_subscription --
DELETE FROM subscriptions WHERE id = $1 AND freelancer_id = $2 RETURNING id

-- recent_gigs --
SELECT body, received_at FROM gigs
WHERE received_at > now() - make_interval(days => $1)
ORDER BY received_at DESC
LIMIT $2

-- insert_alerts --
-- One alert per (freelancer, gig): a replayed gig inserts nothing and returns nothing.
INSERT INTO alerts (id, freelancer_id, gig_id, subscription_ids, reasons)
SELECT id, freelancer_id, gig_id, subscription_ids::uuid[], reasons
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::jsonb[])
    AS a(id, freelancer_id, gig_id, subscription_ids, reasons)
ON CONFLICT (freelancer_id, gig_id) DO NOTHING
RETURNING id
