-- One index for deduplication instead of two (issue 6, alert intake throughput).
--
-- alerts_open_dedup (unique, open alerts only) and alerts_dedup (every alert) were both keyed
-- by (service_id, dedup_key): each new alert wrote an entry into two random leaves. In a dump
-- of the intake benchmark's write-ahead log they were 22% of the pages written. One unique
-- index does both jobs: its third column is 0 while the alert is open and the alert's tiny_id
-- once it is resolved, so at most one open alert per key (all open entries would collide on
-- 0), every alert of a key is found by the first two columns, and the open one is a single
-- seek (third column = 0) however long the key's history. A repeat changes neither column, so
-- it touches no index.
CREATE UNIQUE INDEX IF NOT EXISTS alerts_dedup_slot
    ON alerts(service_id, dedup_key, (CASE WHEN state = 'resolved' THEN tiny_id ELSE 0 END));
DROP INDEX IF EXISTS alerts_open_dedup;
DROP INDEX IF EXISTS alerts_dedup;
