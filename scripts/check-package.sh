#!/usr/bin/env bash
# CI: the package as a user gets it. `npm pack` (prepack builds dist/), install the tarball in an
# empty folder (no engine or other npm warnings), then `npx sesd --version` and `npx sesd start`
# with a fresh data dir: it must print its listening line and answer /_sesd/ready.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
pid=""
# sesd runs under npx in a process group of its own (setsid), so that stopping it reaches sesd
# itself: npx does not pass SIGTERM on to its child, and sesd was left running after the check.
trap '[ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null; rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -1)"
mkdir "$work/app" && cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund "$work/$tarball" 2>&1 | tee "$work/install.log"
# Engine mismatches and deprecations are ours to fix; npm's install-scripts notes are about the
# installing project's own allowScripts policy.
if grep -qE "npm warn (EBADENGINE|deprecated)" "$work/install.log"; then echo "check-package: npm install warned (see above)" >&2; exit 1; fi

version="$(npx sesd --version)"
[ "$version" = "$(node -p "require('$root/package.json').version")" ] || { echo "check-package: --version said $version" >&2; exit 1; }

SESD_HTTP_PORT=0 SESD_SMTP_PORT=0 SESD_SMTPS_PORT=0 setsid npx sesd start >"$work/start.log" 2>"$work/stderr.log" &
pid=$!
for _ in $(seq 1 120); do
  grep -q '^sesd listening http=' "$work/start.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/start.log" "$work/stderr.log" >&2; echo "check-package: sesd start exited" >&2; exit 1; }
  sleep 1
done
url="$(sed -n 's/^sesd listening http=\([^ ]*\).*/\1/p' "$work/start.log")"
[ -n "$url" ] || { cat "$work/start.log" "$work/stderr.log" >&2; echo "check-package: no listening line" >&2; exit 1; }
for _ in $(seq 1 30); do
  curl -fsS "$url/_sesd/ready" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "$url/_sesd/ready"
echo
[ -f data/credentials ] || { echo "check-package: no data/credentials" >&2; exit 1; }
kill -TERM -- "-$pid"
wait "$pid" || true  # sesd exits 0 once drained
for _ in $(seq 1 30); do
  kill -0 -- "-$pid" 2>/dev/null || break
  sleep 1
done
if kill -0 -- "-$pid" 2>/dev/null; then echo "check-package: sesd did not stop on SIGTERM" >&2; exit 1; fi
pid=""
echo "check-package: $tarball installs and starts"
