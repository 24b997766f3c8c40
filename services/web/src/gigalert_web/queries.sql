-- count_rate_events --
SELECT count(*) FROM rate_events WHERE bucket = $1 AND at > now() - make_interval(secs => $2)

-- record_rate_event --
INSERT INTO rate_events (bucket) VALUES ($1)

-- count_login_mails --
-- Mails sent to one address in the window (any purpose): the per-address limit.
SELECT count(*) FROM mail_links
WHERE lower(email) = lower($1) AND created_at > now() - make_interval(secs => $2)

-- insert_mail_link --
INSERT INTO mail_links (token_hash, purpose, email, freelancer_id, channel_id, requested_ip,
                        expires_at)
VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))

-- peek_mail_link --
SELECT purpose, email, freelancer_id, channel_id FROM mail_links
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()

-- use_mail_link --
-- Single use: the first caller marks it, any other gets nothing.
UPDATE mail_links SET used_at = now()
WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
RETURNING purpose, email, freelancer_id, channel_id

-- freelancer_by_email --
SELECT id, display_name, locale, timezone, email FROM freelancers WHERE lower(email) = lower($1)

-- freelancer_by_id --
SELECT id, display_name, locale, timezone, email, created_at FROM freelancers WHERE id = $1

-- insert_freelancer --
INSERT INTO freelancers (display_name, locale, timezone, email)
VALUES ($1, $2, $3, $4)
RETURNING id, display_name, locale, timezone, email, created_at

-- update_freelancer --
UPDATE freelancers SET display_name = $2, locale = $3, timezone = $4 WHERE id = $1
RETURNING id, display_name, locale, timezone, email, created_at

-- delete_freelancer --
DELETE FROM freelancers WHERE id = $1 RETURNING id

-- insert_session --
INSERT INTO web_sessions (id_hash, freelancer_id, csrf_token, expires_at, user_agent, ip)
VALUES ($1, $2, $3, now() + make_interval(days => $4), $5, $6)

-- session_by_hash --
SELECT s.freelancer_id AS id, s.csrf_token, f.display_name, f.locale, f.timezone, f.email
FROM web_sessions s JOIN freelancers f ON f.id = s.freelancer_id
WHERE s.id_hash = $1 AND s.expires_at > now()

-- delete_session --
DELETE FROM web_sessions WHERE id_hash = $1

-- delete_all_sessions --
DELETE FROM web_sessions WHERE freelancer_id = $1

-- insert_api_token --
INSERT INTO api_tokens (freelancer_id, label, token_hash, token_prefix)
VALUES ($1, $2, $3, $4)
RETURNING id, label, token_prefix, created_at, last_used_at

-- list_api_tokens --
SELECT id, label, token_prefix, created_at, last_used_at FROM api_tokens
WHERE freelancer_id = $1 AND revoked_at IS NULL ORDER BY created_at

-- revoke_api_token --
UPDATE api_tokens SET revoked_at = now()
WHERE id = $1 AND freelancer_id = $2 AND revoked_at IS NULL RETURNING id

-- freelancer_by_api_token --
WITH t AS (
    UPDATE api_tokens SET last_used_at = now()
    WHERE token_hash = $1 AND revoked_at IS NULL
      AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
    RETURNING freelancer_id
)
SELECT f.id, f.display_name, f.locale, f.timezone, f.email
FROM freelancers f JOIN api_tokens a ON a.freelancer_id = f.id
WHERE a.token_hash = $1 AND a.revoked_at IS NULL

-- channels --
-- A freelancer's channels, or ($2) one of them, with the names of the searches using each.
SELECT c.id, c.kind, c.target, c.active, c.paused, c.verified_at, c.consecutive_failures,
       c.disabled_reason, c.last_error, c.last_error_at, c.created_at,
       c.link_code_expires_at,
       coalesce((SELECT array_agg(s.name ORDER BY s.created_at) FROM subscriptions s
                 WHERE s.freelancer_id = c.freelancer_id
                   AND (s.channel_ids IS NULL OR c.id = ANY (s.channel_ids))), '{}') AS used_by
FROM channels c
WHERE c.freelancer_id = $1 AND ($2::uuid IS NULL OR c.id = $2::uuid)
ORDER BY c.created_at

-- count_channels --
SELECT count(*) FROM channels WHERE freelancer_id = $1

-- channel_ids --
SELECT id FROM channels WHERE freelancer_id = $1

-- channel_choices --
-- What a search form offers: a freelancer's channels, without the searches using each.
SELECT id, kind, target FROM channels WHERE freelancer_id = $1 ORDER BY created_at

-- setup_progress --
-- The home page's checklist: a proven channel, a saved search.
SELECT EXISTS (SELECT 1 FROM channels
               WHERE freelancer_id = $1 AND verified_at IS NOT NULL) AS has_channel,
       EXISTS (SELECT 1 FROM subscriptions WHERE freelancer_id = $1) AS has_search

-- insert_channel --
INSERT INTO channels (freelancer_id, kind, target, secret_encrypted, verified_at, verified_ip,
                      link_code_hash, link_code_expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id

-- find_email_channel --
SELECT id, verified_at FROM channels
WHERE freelancer_id = $1 AND kind = 'email' AND lower(target) = lower($2)

-- confirm_email_channel --
UPDATE channels SET verified_at = now(), verified_ip = $3, active = true
WHERE id = $1 AND freelancer_id = $2 AND kind = 'email' AND verified_at IS NULL
RETURNING id

-- set_channel_paused --
UPDATE channels SET paused = $3 WHERE id = $1 AND freelancer_id = $2 RETURNING id

-- enable_channel --
UPDATE channels SET active = true, consecutive_failures = 0, disabled_reason = NULL
WHERE id = $1 AND freelancer_id = $2 AND verified_at IS NOT NULL RETURNING id

-- delete_channel --
DELETE FROM channels WHERE id = $1 AND freelancer_id = $2 RETURNING id

-- renew_link_code --
UPDATE channels SET link_code_hash = $3, link_code_expires_at = now() + make_interval(secs => $4)
WHERE id = $1 AND freelancer_id = $2 AND kind = 'line' AND verified_at IS NULL RETURNING id

-- link_line_user --
-- The code names a pending LINE channel; the sender's userId proves it.
UPDATE channels SET target = $2, verified_at = now(), link_code_hash = NULL,
                    link_code_expires_at = NULL, active = true, disabled_reason = NULL
WHERE link_code_hash = $1 AND link_code_expires_at > now() AND kind = 'line'
  AND verified_at IS NULL
RETURNING id, freelancer_id

-- line_unfollowed --
UPDATE channels SET active = false, disabled_reason = 'line_unfollowed'
WHERE kind = 'line' AND target = $1 AND verified_at IS NOT NULL RETURNING id

-- line_followed_again --
UPDATE channels SET active = true, disabled_reason = NULL, consecutive_failures = 0
WHERE kind = 'line' AND target = $1 AND disabled_reason = 'line_unfollowed' RETURNING id

-- count_subscriptions --
SELECT count(*) FROM subscriptions WHERE freelancer_id = $1

-- insert_subscription --
INSERT INTO subscriptions (
    freelancer_id, name, remote_modes, min_rate_jpy_h, include_unknown_rate, domains,
    keywords_any, keywords_none, max_days_per_week, locations, frequency, digest_hour,
    quiet_start, quiet_end, weekly_day, channel_ids)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
RETURNING *

-- update_subscription --
UPDATE subscriptions SET
    name = $3, remote_modes = $4, min_rate_jpy_h = $5, include_unknown_rate = $6,
    domains = $7, keywords_any = $8, keywords_none = $9, max_days_per_week = $10,
    locations = $11, frequency = $12, digest_hour = $13, quiet_start = $14, quiet_end = $15,
    weekly_day = $16, channel_ids = $17, updated_at = now()
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

-- subscription_choices --
-- What the history's filter offers: a freelancer's searches by name.
SELECT id, name FROM subscriptions WHERE freelancer_id = $1 ORDER BY created_at

-- delete_subscription --
DELETE FROM subscriptions WHERE id = $1 AND freelancer_id = $2 RETURNING id

-- recent_gigs_since --
SELECT body, received_at FROM gigs
WHERE received_at > $1 AND received_at > now() - make_interval(days => $2)
ORDER BY received_at
LIMIT $3

-- list_alerts --
-- Newest first; $2 optional search filter; keyset by (created_at, id).
SELECT a.id, a.gig_id, a.subscription_ids, a.reasons, a.created_at,
       g.title, g.url, g.rate_source, g.remote_mode, g.location,
       coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'channel_id', d.channel_id, 'kind', c.kind, 'target', c.target,
                    'status', d.status, 'attempts', d.attempts, 'sent_at', d.sent_at,
                    'next_attempt_at', d.next_attempt_at, 'last_error', d.last_error)
                    ORDER BY c.created_at)
                 FROM deliveries d JOIN channels c ON c.id = d.channel_id
                 WHERE d.alert_id = a.id), '[]'::jsonb) AS deliveries
FROM alerts a LEFT JOIN gigs g ON g.id = a.gig_id
WHERE a.freelancer_id = $1
  AND ($2::uuid IS NULL OR $2::uuid = ANY (a.subscription_ids))
  AND ($3::timestamptz IS NULL OR (a.created_at, a.id) < ($3::timestamptz, $4::uuid))
ORDER BY a.created_at DESC, a.id DESC
LIMIT $5

-- alert_for_unsubscribe --
SELECT id, freelancer_id, subscription_ids FROM alerts WHERE id = $1

-- use_unsubscribe --
-- A link works once: the first use records itself, any later one finds it taken.
INSERT INTO unsubscribe_uses (alert_id, freelancer_id, subscription_ids)
VALUES ($1, $2, '{}') ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id

-- pause_for_unsubscribe --
UPDATE subscriptions SET active = false, updated_at = now()
WHERE id = ANY ($1::uuid[]) AND freelancer_id = $2 AND active
RETURNING id, name

-- record_unsubscribe --
UPDATE unsubscribe_uses SET subscription_ids = $2 WHERE alert_id = $1

-- unsubscribe_use --
SELECT alert_id, freelancer_id, subscription_ids, used_at, undone_at
FROM unsubscribe_uses WHERE alert_id = $1

-- undo_unsubscribe --
UPDATE unsubscribe_uses SET undone_at = now()
WHERE alert_id = $1 AND undone_at IS NULL AND used_at > now() - interval '7 days'
RETURNING subscription_ids, freelancer_id

-- resume_subscriptions --
UPDATE subscriptions SET active = true, updated_at = now()
WHERE id = ANY ($1::uuid[]) AND freelancer_id = $2
RETURNING id, name

-- export_account --
SELECT jsonb_build_object(
  'account', (SELECT to_jsonb(f) - 'token_hash' FROM freelancers f WHERE f.id = $1),
  'channels', coalesce((SELECT jsonb_agg(to_jsonb(c) - 'secret_encrypted' - 'link_code_hash'
                        ORDER BY c.created_at) FROM channels c WHERE c.freelancer_id = $1), '[]'),
  'subscriptions', coalesce((SELECT jsonb_agg(to_jsonb(s) ORDER BY s.created_at)
                             FROM subscriptions s WHERE s.freelancer_id = $1), '[]'),
  'alerts', coalesce((SELECT jsonb_agg(to_jsonb(a) ORDER BY a.created_at)
                      FROM alerts a WHERE a.freelancer_id = $1), '[]'),
  'deliveries', coalesce((SELECT jsonb_agg(to_jsonb(d) - 'payload' ORDER BY d.created_at)
                          FROM deliveries d WHERE d.freelancer_id = $1), '[]'),
  'api_tokens', coalesce((SELECT jsonb_agg(to_jsonb(t) - 'token_hash' ORDER BY t.created_at)
                          FROM api_tokens t WHERE t.freelancer_id = $1), '[]'),
  'sessions', coalesce((SELECT jsonb_agg(to_jsonb(w) - 'id_hash' - 'csrf_token')
                        FROM web_sessions w WHERE w.freelancer_id = $1), '[]')
)

-- cancel_pending_deliveries --
DELETE FROM deliveries WHERE freelancer_id = $1 AND status IN ('pending', 'failed', 'sending')

-- insert_proven_email --
-- The login address, proven by the login; nothing when another account proved it first.
INSERT INTO channels (freelancer_id, kind, target, verified_at, verified_ip)
VALUES ($1, 'email', $2, now(), $3)
ON CONFLICT DO NOTHING
RETURNING id

-- subscription_names --
SELECT name FROM subscriptions WHERE id = ANY ($1::uuid[]) ORDER BY created_at

-- forget_mail_links --
DELETE FROM mail_links WHERE freelancer_id = $1 OR lower(email) = lower($2)

-- pending_line_channel --
SELECT id FROM channels
WHERE freelancer_id = $1 AND kind = 'line' AND verified_at IS NULL
ORDER BY created_at LIMIT 1

-- hit_rate_event --
-- One round trip: count the window, and record this event only when under the limit.
WITH seen AS (
    SELECT count(*) AS n FROM rate_events
    WHERE bucket = $1 AND at > now() - make_interval(secs => $2)
), recorded AS (
    INSERT INTO rate_events (bucket) SELECT $1 FROM seen WHERE seen.n < $3 RETURNING 1
)
SELECT n < $3 FROM seen
