-- gigalert: no-transaction
-- Retention deletes by age; without these indexes each batch scans the whole table. Built
-- CONCURRENTLY so a deployment with millions of rows keeps taking writes meanwhile (hence
-- no transaction: each statement runs on its own and is safe to run again).
CREATE INDEX CONCURRENTLY IF NOT EXISTS alerts_created_at_idx ON alerts (created_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_finished_created_at_idx ON deliveries (created_at)
    WHERE status IN ('sent', 'dead');
CREATE INDEX CONCURRENTLY IF NOT EXISTS unsubscribe_uses_used_at_idx ON unsubscribe_uses (used_at);
