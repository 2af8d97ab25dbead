#!/bin/bash
# Dockerfile.janus's HEALTHCHECK: healthy when the WebSocket API answers a ping. A WebSocket handshake
# with Janus's subprotocol, then one masked text frame (a zero mask: the bytes go as they are) with
# {"janus":"ping"}, and Janus's {"janus":"pong"} read back. Ping needs no API secret.
set -eu
host=${JANUS_WS_IP:-127.0.0.1}
[ "$host" = 0.0.0.0 ] && host=127.0.0.1
exec 3<>"/dev/tcp/$host/${JANUS_WS_PORT:-8188}"
printf 'GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dmlkZW9jaGF0LWhlYWx0aA==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: janus-protocol\r\n\r\n' "$host" >&3
ping='{"janus":"ping","transaction":"health"}'
printf "\\x81\\x$(printf %02x $((0x80 + ${#ping})))\\x00\\x00\\x00\\x00%s" "$ping" >&3
# The handshake's answer, then the frame: everything up to the first "}" holds the pong.
read -r -t 3 -d '}' answer <&3
[[ $answer == *'"janus":"pong"'* ]]
