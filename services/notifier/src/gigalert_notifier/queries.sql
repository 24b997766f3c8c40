-- alert_context --
-- What deliveries need: each freelancer's locale and zone, the channels that may receive
-- (on, proven, not paused by their owner), and the matched subscriptions' schedules and
-- channel choices (channel_ids NULL: every channel of the account).
SELECT f.id AS freelancer_id, f.locale, f.timezone,
       coalesce((SELECT array_agg(c.id ORDER BY c.created_at) FROM channels c
                 WHERE c.freelancer_id = f.id AND c.active AND c.verified_at IS NOT NULL
                   AND NOT c.paused), '{}') AS channel_ids
FROM freelancers f WHERE f.id = ANY($1::uuid[])

-- subscription_schedules --
SELECT id, frequency, digest_hour, weekly_day, quiet_start, quiet_end, channel_ids
FROM subscriptions WHERE id = ANY($1::uuid[])

-- insert_deliveries --
-- One delivery per (alert, channel): a replayed alert inserts nothing.
INSERT INTO deliveries (alert_id, channel_id, freelancer_id, frequency, payload, next_attempt_at)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::jsonb[], $6::timestamptz[])
ON CONFLICT (alert_id, channel_id) DO NOTHING
RETURNING id

-- claim_due --
-- Due deliveries, and those whose sender died mid-send (lease expired), claimed so no
-- other replica takes them until the lease ends. Fair across freelancers: each due row
-- gets its turn within its freelancer's queue (1 = their oldest; an expired lease keeps its
-- place by due time), and a round takes turns in order (every freelancer's first, then
-- every second, …), oldest first within a turn; so one freelancer's backlog never delays
-- another's alert past one round, and a lone backlog still fills whole rounds.
-- The pending rows are read from deliveries_fair_idx (index only), the expired leases from
-- deliveries_lease_idx; the ranking stops at a turn no round could reach. A pool of up to 4
-- rounds is ranked so that replicas claiming at once skip each other's locked rows and take
-- the next ones. The locking level repeats the due test, so a row another replica claimed
-- meanwhile is re-checked and skipped.
WITH ranked AS (
    SELECT id, next_attempt_at,
           row_number() OVER (PARTITION BY freelancer_id ORDER BY next_attempt_at, id) AS turn
    FROM (
        SELECT id, freelancer_id, next_attempt_at FROM deliveries
        WHERE status IN ('pending', 'failed') AND next_attempt_at <= $1
        UNION ALL
        SELECT id, freelancer_id, next_attempt_at FROM deliveries
        WHERE status = 'sending' AND lease_until < $1
    ) due
), pool AS MATERIALIZED (
    SELECT id, turn, next_attempt_at FROM ranked
    WHERE turn <= $2 * 4
    ORDER BY turn, next_attempt_at
    LIMIT $2 * 4
), due AS (
    SELECT d.id FROM pool p JOIN deliveries d ON d.id = p.id
    WHERE d.id = ANY (ARRAY(SELECT id FROM pool))
      AND ((d.status IN ('pending', 'failed') AND d.next_attempt_at <= $1)
           OR (d.status = 'sending' AND d.lease_until < $1))
    ORDER BY p.turn, p.next_attempt_at
    LIMIT $2
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE deliveries d
SET status = 'sending', lease_until = $1 + make_interval(secs => $3), attempts = d.attempts + 1
FROM due, channels c, freelancers f
WHERE d.id = due.id AND c.id = d.channel_id AND f.id = d.freelancer_id
RETURNING d.id, d.alert_id, d.channel_id, d.frequency, d.payload::text, d.attempts, d.lease_until,
          c.kind, c.target, c.secret_encrypted, c.active AS channel_active,
          c.verified_at IS NOT NULL AS channel_verified, c.paused AS channel_paused,
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
-- A failed send: retried at $2. The channel keeps the last failure and why ($7, short, no
-- secrets) for its owner's page, written only if the fence let the delivery write through.
WITH failed AS (
    UPDATE deliveries
    SET status = 'failed', next_attempt_at = $2, lease_until = NULL, last_error = $3,
        attempts = attempts - $4::int
    WHERE id = ANY($1::uuid[]) AND status = 'sending' AND lease_until = $5
    RETURNING id
)
UPDATE channels SET last_error = $7, last_error_at = $8
WHERE id = $6 AND $7::text IS NOT NULL AND EXISTS (SELECT 1 FROM failed)

-- mark_dead --
-- $4..$6 as in mark_failed: the channel's last failure, when a send failed ($5 not NULL).
WITH dead AS (
    UPDATE deliveries SET status = 'dead', lease_until = NULL, last_error = $2
    WHERE id = ANY($1::uuid[]) AND status = 'sending' AND lease_until = $3
    RETURNING id
)
UPDATE channels SET last_error = $5, last_error_at = $6
WHERE id = $4 AND $5::text IS NOT NULL AND EXISTS (SELECT 1 FROM dead)

-- reserve_email_slots --
-- One more alert mail to each (address $1[i], lower-cased; day $2[i]) pair, unless it has had
-- $3 already: the pairs whose slot was taken come back. The pairs are distinct (an upsert
-- cannot touch a row twice). One statement, atomic across replicas (the upsert's row locks
-- order them; rows are taken in address order), so no count ever passes the cap.
INSERT INTO email_daily_counts AS e (address, day, sent)
SELECT address, day, 1 FROM unnest($1::text[], $2::date[]) AS w (address, day)
ORDER BY address, day
ON CONFLICT (address, day) DO UPDATE SET sent = e.sent + 1 WHERE e.sent < $3
RETURNING address, day

-- release_email_slot --
-- A send that surely did not go out gives its slot back.
UPDATE email_daily_counts SET sent = sent - 1 WHERE address = $1 AND day = $2 AND sent > 0

-- defer_capped --
-- The address had its day's mails: the claimed rows wait until the next day starts ($2),
-- their attempt not counted (pending again, or failed if an earlier attempt failed); the
-- channel's other due rows wait too (not claimed, so no fence; rows locked elsewhere are
-- skipped, so two replicas deferring at once never wait on each other).
WITH claimed AS (
    UPDATE deliveries
    SET status = CASE WHEN attempts > 1 THEN 'failed' ELSE 'pending' END,
        attempts = attempts - 1, next_attempt_at = $2, lease_until = NULL
    WHERE id = ANY($1::uuid[]) AND status = 'sending' AND lease_until = $3
    RETURNING id
), others AS (
    UPDATE deliveries SET next_attempt_at = $2
    WHERE id IN (SELECT id FROM deliveries
                 WHERE channel_id = $4 AND status IN ('pending', 'failed') AND next_attempt_at < $2
                 FOR UPDATE SKIP LOCKED)
    RETURNING id
)
SELECT (SELECT count(*) FROM claimed) AS claimed, (SELECT count(*) FROM others) AS others

-- postpone --
-- Claimed, not sent, because the provider asked us to wait (a 429's Retry-After still
-- running for this token or webhook): due again at $2, the attempt not counted.
UPDATE deliveries
SET status = CASE WHEN attempts > 1 THEN 'failed' ELSE 'pending' END,
    attempts = attempts - 1, next_attempt_at = $2, lease_until = NULL
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

-- dead_ids --
SELECT id FROM deliveries WHERE status = 'dead'
