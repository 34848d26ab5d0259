#!/bin/sh
# tokenwarden client example, shell with curl and jq; README.md.
set -eu
AGENT=${TOKENWARDEN_URL:-http://127.0.0.1:8707}
ACCOUNT=${TOKENWARDEN_ACCOUNT:-shop}
BALANCE=/ecom/execute_request/merchant/ecom_balance/v1/get
# The bank's codes for a session it no longer accepts.
REJECTED='["b_expired_token","b_used_token","b_session_doesnt_exist","b_session_doesnt_exists","b_unknown_device"]'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "$*" >&2; exit 1; }

# agent METHOD PATH: the agent's JSON answer on stdout; fails unless 200.
agent() {
  status=$(curl -sS -o "$tmp/agent" -w '%{http_code}' -X "$1" -H 'Tokenwarden-Request: 1' \
    ${TOKENWARDEN_CLIENT_TOKEN:+-H "Authorization: Bearer $TOKENWARDEN_CLIENT_TOKEN"} "$AGENT$2") || fail "agent: $1 $2: no answer"
  [ "$status" = 200 ] || fail "agent: $1 $2: HTTP $status $(cat "$tmp/agent")"
  cat "$tmp/agent"
}

# bank TOKEN_JSON: calls the balance with the token's headers; prints
# "STATUS CODE", CODE the msgCode, "rejected" added when the session was.
bank() {
  echo "$1" | jq -r '.headers | to_entries[] | "\(.key): \(.value)"' >"$tmp/headers"
  status=$(curl -sS -o "$tmp/bank" -w '%{http_code}' -X POST -H @"$tmp/headers" \
    -H 'Content-Type: application/json' -d '{}' "$BANK_URL$BALANCE") || fail "bank: no answer"
  code=$(jq -r 'if type == "object" then .msgCode // "-" else "-" end' "$tmp/bank" 2>/dev/null || echo -)
  if [ "$status" = 401 ] || echo "$REJECTED" | jq -e --arg c "$code" 'index($c) != null' >/dev/null; then
    echo "$status $code rejected"
  else
    echo "$status $code"
  fi
}

token=$(agent GET "/v1/token/$ACCOUNT")
generation=$(echo "$token" | jq -r .generation)
echo "token: $ACCOUNT generation $generation, expires $(echo "$token" | jq -r .expires_at)"

if [ -n "${BANK_URL:-}" ]; then
  answer=$(bank "$token")
  case $answer in
    *rejected)
      token=$(agent POST "/v1/token/$ACCOUNT/invalidate?generation=$generation")
      old=$generation
      generation=$(echo "$token" | jq -r .generation)
      echo "rejected: generation $old ($(echo "$answer" | cut -d' ' -f2)), now generation $generation"
      answer=$(bank "$token") ;;
  esac
  case $answer in
    "200 "*rejected | [!2]*) fail "bank: HTTP $answer" ;;
    200*) echo "bank: HTTP 200 with generation $generation" ;;
    *) fail "bank: HTTP $answer" ;;
  esac
fi

status=$(curl -sS -o "$tmp/proxy" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' \
  ${TOKENWARDEN_CLIENT_TOKEN:+-H "Authorization: Bearer $TOKENWARDEN_CLIENT_TOKEN"} "$AGENT/proxy/$ACCOUNT$BALANCE") || fail "proxy: no answer"
[ "$status" = 200 ] || fail "proxy: HTTP $status $(cat "$tmp/proxy")"
echo "proxy: HTTP $status"
