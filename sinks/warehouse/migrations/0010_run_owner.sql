-- Which process runs a run, so a run left 'running' by a process that died
-- (kill -9, power loss) can be marked 'interrupted' when the warehouse is
-- next opened. The second statement reaches the Distributed table on a
-- cluster; on a single server it names the same table and does nothing.

ALTER TABLE {{table "runs"}}{{onCluster}} ADD COLUMN IF NOT EXISTS owner String DEFAULT '' COMMENT 'host/pid/start-time of the process running it; see status interrupted';

ALTER TABLE {{ref "runs"}}{{onCluster}} ADD COLUMN IF NOT EXISTS owner String DEFAULT '' COMMENT 'host/pid/start-time of the process running it; see status interrupted';
