-- The notifier's fair claim: due deliveries ranked within each freelancer's queue, read in
-- (freelancer, due time) order straight from an index (index only, no sort), and expired
-- leases found without scanning the due rows.
CREATE INDEX deliveries_fair_idx ON deliveries (freelancer_id, next_attempt_at, id)
    WHERE status IN ('pending', 'failed');
CREATE INDEX deliveries_lease_idx ON deliveries (lease_until) WHERE status = 'sending';
