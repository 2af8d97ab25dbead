#!/bin/sh
# The Compose image's entry (Dockerfile.janus): renders the templates beside this script into
# JANUS_DIR, as scripts/cluster/janus.ts does natively, links in only the VideoRoom plugin and the
# WebSocket transport, and runs Janus in the foreground as PID 1 (it stops cleanly on SIGTERM).
#
# The API secret: JANUS_API_SECRET when set; otherwise the one in JANUS_API_SECRET_FILE, written there
# (random, 48 hex digits) at the first start. Compose shares that file's volume read-only with the app
# instances, which read it the same way (server/src/config.ts), so no secret is baked into any file.
set -eu

: "${JANUS_DIR:=/var/lib/janus/run}"
: "${JANUS_WS_IP:=0.0.0.0}"
: "${JANUS_WS_PORT:=8188}"
: "${JANUS_RTP_PORT_RANGE:=20000-20099}"
: "${JANUS_NAT_1_1_MAPPING:=}"
fail() {
  echo "janus: $*" >&2
  exit 64
}

if [ -z "${JANUS_API_SECRET:-}" ]; then
  [ -n "${JANUS_API_SECRET_FILE:-}" ] || fail "set JANUS_API_SECRET, or JANUS_API_SECRET_FILE to a file to keep a generated one in"
  if [ ! -s "$JANUS_API_SECRET_FILE" ]; then
    # Readable by the app instances' user (another uid) through the shared volume; nothing else mounts it.
    umask 022
    od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$JANUS_API_SECRET_FILE.new"
    mv "$JANUS_API_SECRET_FILE.new" "$JANUS_API_SECRET_FILE"
    echo "janus: generated an API secret in $JANUS_API_SECRET_FILE"
  fi
  JANUS_API_SECRET=$(cat "$JANUS_API_SECRET_FILE")
fi
# Each value lands inside a quoted string of the config: refuse what could end the string.
case "$JANUS_API_SECRET" in
  *[!A-Za-z0-9._~+/=-]*) fail "JANUS_API_SECRET: use A-Z a-z 0-9 and . _ ~ + / = - only" ;;
esac
[ "${#JANUS_API_SECRET}" -ge 16 ] || fail "JANUS_API_SECRET: 16 characters at least"
case "$JANUS_NAT_1_1_MAPPING" in
  *[!0-9A-Fa-f.:,]*) fail "JANUS_NAT_1_1_MAPPING: IP addresses only (comma-separated), e.g. 203.0.113.7" ;;
esac
case "$JANUS_RTP_PORT_RANGE" in
  *[!0-9-]* | -* | *- | *-*-* | [!0-9]*) fail "JANUS_RTP_PORT_RANGE: min-max, e.g. 20000-20099" ;;
esac
export JANUS_DIR JANUS_API_SECRET JANUS_RTP_PORT_RANGE JANUS_NAT_1_1_MAPPING JANUS_WS_IP JANUS_WS_PORT

modules=
for root in /usr/lib/*/janus /usr/lib/janus; do
  [ -f "$root/plugins/libjanus_videoroom.so" ] && modules=$root && break
done
[ -n "$modules" ] || fail "no VideoRoom plugin under /usr/lib/*/janus: is Debian's janus package installed?"

rm -rf "$JANUS_DIR"
mkdir -p "$JANUS_DIR/plugins" "$JANUS_DIR/transports" "$JANUS_DIR/none"
ln -s "$modules/plugins/libjanus_videoroom.so" "$JANUS_DIR/plugins/"
ln -s "$modules/transports/libjanus_websockets.so" "$JANUS_DIR/transports/"
umask 077
templates=$(dirname "$0")
for file in janus.jcfg janus.transport.websockets.jcfg janus.plugin.videoroom.jcfg; do
  # Only these names: any other ${...} in a template stays as it is (scripts/cluster/janus.ts does the same).
  envsubst '${JANUS_DIR} ${JANUS_API_SECRET} ${JANUS_RTP_PORT_RANGE} ${JANUS_NAT_1_1_MAPPING} ${JANUS_WS_IP} ${JANUS_WS_PORT}' \
    <"$templates/$file.template" >"$JANUS_DIR/$file"
done
unset JANUS_API_SECRET

# -C the core config, -F the folder of the others; -o: no colours (the output goes to the container log).
exec janus -C "$JANUS_DIR/janus.jcfg" -F "$JANUS_DIR" -o "$@"
