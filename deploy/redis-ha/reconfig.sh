#!/bin/sh
# The sentinels' client-reconfig-script (Compose's --profile ha copies it in sentinel.sh; `npm run
# cluster` and the tests' sentinel sets in scripts/cluster/sentinel.ts). Every sentinel runs it on
# +switch-master with: <name> <role> <state> <from-ip> <from-port> <to-ip> <to-port>. The data nodes'
# password comes from REDIS_PASSWORD in the sentinel's environment.
#
# It makes the replaced primary a replica of the new one at once and drops its clients, as the sentinels
# themselves do only 8-18 s later (they wait to see it report itself master for a while). Meanwhile
# connections that stayed on it (the adapter's publisher and subscriber: nothing makes them reconnect),
# or that reached a killed primary restarted empty, would publish and listen where nobody else does,
# splitting the instances' broadcasts.
#
# Each sentinel runs it when it learns of the switch, which may be seconds after the switch (and after
# the next one): so it acts only while the event still holds. Both nodes must call themselves master, and
# the old one must not have been promoted from the new one since (a promoted replica keeps its former
# primary's replication id as master_replid2); else a late run would demote the primary that a later
# switch had just promoted. A dead node answers nothing and is left alone. What it does goes to the
# sentinel's output (its log). Exit 0 always: on 1 Sentinel runs the script again.
set -u
info() {
  REDISCLI_AUTH="${REDIS_PASSWORD:-}" timeout 3 redis-cli -h "$1" -p "$2" INFO replication 2>/dev/null |
    tr -d '\r'
}
field() { printf '%s\n' "$1" | sed -n "s/^$2://p"; }
from="$4:$5"
skip() {
  echo "reconfig.sh: $from left alone: $1"
  exit 0
}

old=$(info "$4" "$5")
new=$(info "$6" "$7")
[ -n "$old" ] || skip "no answer"
[ "$(field "$old" role)" = master ] || skip "not a primary"
[ "$(field "$new" role)" = master ] || skip "$6:$7 is not the primary"
[ "$(field "$old" master_replid2)" = "$(field "$new" master_replid)" ] &&
  skip "promoted from $6:$7 since"
echo "reconfig.sh: $from becomes a replica of $6:$7"
printf 'MULTI\nREPLICAOF %s %s\nCLIENT KILL TYPE normal\nCLIENT KILL TYPE pubsub\nEXEC\n' "$6" "$7" |
  REDISCLI_AUTH="${REDIS_PASSWORD:-}" timeout 3 redis-cli -h "$4" -p "$5" >/dev/null 2>&1
exit 0
