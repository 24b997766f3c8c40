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
