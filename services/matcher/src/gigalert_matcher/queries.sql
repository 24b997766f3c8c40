-- alerts_staging --
-- The batch's rows, binary-COPYed here first: temporary (no WAL), emptied at commit.
-- Reasons as text: the connection's jsonb codec is text-only (cast in the INSERT).
CREATE TEMPORARY TABLE IF NOT EXISTS alerts_in (
    id uuid, freelancer_id uuid, gig_id uuid, subscription_ids uuid[], reasons text
) ON COMMIT DELETE ROWS

-- insert_staged_alerts --
-- One alert per (freelancer, gig): a replayed gig inserts nothing and returns nothing.
INSERT INTO alerts (id, freelancer_id, gig_id, subscription_ids, reasons)
SELECT id, freelancer_id, gig_id, subscription_ids, reasons::jsonb FROM alerts_in
ON CONFLICT (freelancer_id, gig_id) DO NOTHING
RETURNING id

-- last_subscription_change --
SELECT coalesce(max(id), 0) FROM subscription_changes

-- active_subscriptions --
-- The repository fills in the columns of s a Criteria is read from (subscription_columns.py),
-- here and below.
SELECT {criteria}
FROM subscriptions s
WHERE s.active

-- subscription_changes_after --
-- Each change with its subscription's current row (NULLs when it was deleted).
SELECT c.id AS change_id, c.subscription_id, s.active, {criteria}
FROM subscription_changes c LEFT JOIN subscriptions s ON s.id = c.subscription_id
WHERE c.id > $1
ORDER BY c.id
