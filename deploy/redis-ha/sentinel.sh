#!/bin/sh
# A sentinel of Compose's --profile ha. Usage: sentinel.sh <own service name>
# Sentinel rewrites its configuration file as it learns the set, so each start writes a fresh one where
# it may write (/tmp), monitoring the primary the other sentinels name (after a failover that is no
# longer `redis`), and relearns the rest from the nodes and the other sentinels. The nodes go by their
# fixed addresses (docker-compose.yml): a stopped container's name stops resolving, and the look-up
# hung for ~10 s on the internal network, freezing the sentinel (TILT) just when it had to act.
set -eu
me=$1
name=${REDIS_SENTINEL_NAME:-videochat}
primary=${REDIS_FIRST_PRIMARY:-172.31.251.11}
for sentinel in sentinel1 sentinel2 sentinel3; do
  [ "$sentinel" = "$me" ] && continue
  answer=$(REDISCLI_AUTH="$REDIS_PASSWORD" timeout 3 redis-cli -h "$sentinel" -p 26379 --raw \
    SENTINEL GET-MASTER-ADDR-BY-NAME "$name" 2>/dev/null | head -n 1) || answer=""
  if [ -n "$answer" ]; then primary=$answer; break; fi
done
conf=/tmp/sentinel.conf
# Run by every sentinel on +switch-master: moves the replaced primary at once (reconfig.sh says why and
# when). Copied where it may be made executable; it reads REDIS_PASSWORD from this environment.
reconfig=/tmp/reconfig.sh
cp /ha/reconfig.sh "$reconfig"
chmod 700 "$reconfig"
cat >"$conf" <<CONF
port 26379
requirepass $REDIS_PASSWORD
sentinel sentinel-pass $REDIS_PASSWORD
sentinel monitor $name $primary 6379 2
sentinel auth-pass $name $REDIS_PASSWORD
sentinel down-after-milliseconds $name ${SENTINEL_DOWN_AFTER_MS:-5000}
sentinel failover-timeout $name ${SENTINEL_FAILOVER_TIMEOUT_MS:-10000}
sentinel parallel-syncs $name 1
sentinel client-reconfig-script $name $reconfig
CONF
exec redis-server "$conf" --sentinel
