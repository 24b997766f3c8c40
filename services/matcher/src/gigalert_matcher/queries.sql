-- insert_alerts --
-- One alert per (freelancer, gig): a replayed gig inserts nothing and returns nothing.
INSERT INTO alerts (id, freelancer_id, gig_id, subscription_ids, reasons)
SELECT id, freelancer_id, gig_id, subscription_ids::uuid[], reasons
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::jsonb[])
    AS a(id, freelancer_id, gig_id, subscription_ids, reasons)
ON CONFLICT (freelancer_id, gig_id) DO NOTHING
RETURNING id
