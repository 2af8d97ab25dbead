#!/bin/sh
# A Redis data node of Compose's --profile ha (docker-compose.ha.yml runs it in the redis and
# redis-replica services). Usage: node.sh <own fixed address> [<primary's address at the first start>]
#
# At every start it first asks the sentinels which node is primary, and starts as a replica of that one
# (or as primary when they name this node). So a node that comes back after a failover rejoins as a
# replica at once, instead of calling itself primary until the sentinels demote it (8-18 s later, while
# clients that reach it write where nobody reads). With no sentinel answering (the very first start:
# they start after the nodes) it starts as configured: `redis` primary, `redis-replica` its replica.
# Every node knows the one password as masterauth: after a failover any of them may be a replica.
set -eu
me=$1
primary=${2:-}
name=${REDIS_SENTINEL_NAME:-videochat}
for sentinel in sentinel1 sentinel2 sentinel3; do
  # --raw: the address on the first line, the port on the second; nothing when the sentinel is away.
  answer=$(REDISCLI_AUTH="$REDIS_PASSWORD" timeout 3 redis-cli -h "$sentinel" -p 26379 --raw \
    SENTINEL GET-MASTER-ADDR-BY-NAME "$name" 2>/dev/null | head -n 1) || answer=""
  if [ -n "$answer" ]; then
    primary=$answer
    [ "$primary" = "$me" ] && primary=""
    echo "node.sh: sentinel $sentinel names ${answer} as primary"
    break
  fi
done
# repl-diskless-sync-delay 0: a replica that must resync in full after a switch gets its copy at once
# (the default waits 5 s for other replicas, with no replica to confirm writes meanwhile).
set -- redis-server --requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD" --appendonly yes \
  --repl-diskless-sync-delay 0 \
  --replica-announce-ip "$me" ${REDIS_MIN_REPLICAS_TO_WRITE:+--min-replicas-to-write "$REDIS_MIN_REPLICAS_TO_WRITE"}
if [ -n "$primary" ]; then set -- "$@" --replicaof "$primary" 6379; fi
exec "$@"
