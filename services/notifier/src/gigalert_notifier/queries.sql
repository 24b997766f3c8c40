-- alert_context --
-- What deliveries need: each freelancer's locale and zone, active channels, and the
-- schedules of the subscriptions that matched.
SELECT f.id AS freelancer_id, f.locale, f.timezone,
       coalesce((SELECT array_agg(c.id ORDER BY c.created_at) FROM channels c
                 WHERE c.freelancer_id = f.id AND c.active), '{}') AS channel_ids
FROM freelancers f WHERE f.id = ANY($1::uuid[])

-- subscription_schedules --
SELECT id, frequency, digest_hour, quiet_start, quiet_end
FROM subscriptions WHERE id = ANY($1::uuid[])

-- insert_deliveries --
-- One delivery per (alert, channel): a replayed alert inserts nothing.
INSERT INTO deliveries (alert_id, channel_id, freelancer_id, frequency, payload, next_attempt_at)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::jsonb[], $6::timestamptz[])
ON CONFLICT (alert_id, channel_id) DO NOTHING
RETURNING id

-- claim_due --
-- Due deliveries, and those whose sender died mid-send (lease expired), claimed so no
-- other replica takes them until the lease ends.
WITH due AS (
    SELECT id FROM deliveries
    WHERE (status IN ('pending', 'failed') AND next_attempt_at <= $1)
       OR (status = 'sending' AND lease_until < $1)
    ORDER BY next_attempt_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE deliveries d
SET status = 'sending', lease_until = $1 + make_interval(secs => $3), attempts = d.attempts + 1
FROM due, channels c, freelancers f
WHERE d.id = due.id AND c.id = d.channel_id AND f.id = d.freelancer_id
RETURNING d.id, d.alert_id, d.channel_id, d.frequency, d.payload, d.attempts, d.lease_until,
          c.kind, c.target, c.secret_encrypted, c.active AS channel_active,
          f.locale, f.timezone

-- mark_sent_many --
-- The outcome writes are fenced by the lease the rows were claimed with: once another
-- replica has claimed them again, a late write changes nothing.
-- The sends of a round that went through, written together: the same lease fence per row
-- ($2, the lease each was claimed with), each delivery's own sent_at ($3). The channels'
-- failure counts are reset in one id order, so two replicas never deadlock on them.
WITH sent AS (
    UPDATE deliveries d
    SET status = 'sent', sent_at = u.sent_at, lease_until = NULL, last_error = NULL
    FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS u(id, lease, sent_at)
    WHERE d.id = u.id AND d.status = 'sending' AND d.lease_until = u.lease
    RETURNING d.id
), failing AS (
    SELECT id FROM channels
    WHERE id = ANY($4::uuid[]) AND consecutive_failures <> 0
    ORDER BY id
    FOR UPDATE
), reset AS (
    UPDATE channels c SET consecutive_failures = 0 FROM failing WHERE c.id = failing.id
)
SELECT id FROM sent

-- mark_failed --
UPDATE deliveries
SET status = 'failed', next_attempt_at = $2, lease_until = NULL, last_error = $3,
    attempts = attempts - $4::int
WHERE id = ANY($1::uuid[]) AND status = 'sending' AND lease_until = $5

-- mark_dead --
UPDATE deliveries SET status = 'dead', lease_until = NULL, last_error = $2
WHERE id = ANY($1::uuid[]) AND status = 'sending' AND lease_until = $3

-- release --
-- Claimed but never sent (the process is stopping): due again at once, attempt refunded.
UPDATE deliveries SET status = 'pending', lease_until = NULL, attempts = attempts - 1
WHERE id = ANY($1::uuid[]) AND status = 'sending' AND lease_until = $2

-- channel_failed_permanently --
UPDATE channels
SET consecutive_failures = consecutive_failures + 1,
    active = CASE WHEN consecutive_failures + 1 >= $2 THEN false ELSE active END,
    disabled_reason = CASE WHEN consecutive_failures + 1 >= $2 THEN $3 ELSE disabled_reason END
WHERE id = $1
RETURNING active

-- due_counts --
SELECT count(*) FILTER (WHERE next_attempt_at <= $1) AS due,
       count(*) FILTER (WHERE next_attempt_at <= $1 - interval '5 minutes') AS overdue
FROM deliveries WHERE status IN ('pending', 'failed')

-- list_deliveries --
SELECT d.id, d.alert_id, d.channel_id, c.kind, d.status, d.attempts, d.last_error,
       d.next_attempt_at, d.sent_at, d.created_at
FROM deliveries d JOIN channels c ON c.id = d.channel_id
WHERE d.status = $1
ORDER BY d.created_at DESC
LIMIT $2

-- requeue --
UPDATE deliveries
SET status = 'pending', attempts = 0, next_attempt_at = $2, last_error = NULL, lease_until = NULL
WHERE id = ANY($1::uuid[]) AND status = 'dead'
RETURNING id
