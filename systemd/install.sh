#!/bin/sh
# Install evsed on a board as a systemd service. Run as root from the evsed checkout, on the board
# or on a machine of the same CPU architecture (native modules are built for it).
#
#   sh systemd/install.sh [--prefix /opt/evsed] [--no-build] [--no-start]
#
# Builds, copies the runtime into PREFIX, creates the evsed user (sysusers.d) and /etc/evsed,
# installs the unit (with this machine's node path), links evsectl into /usr/local/bin, enables
# and starts evsed. An existing /etc/evsed/evsed.json is kept; otherwise an example is installed
# and evsed is not started until you edit it.
set -eu

PREFIX=/opt/evsed
BUILD=1
START=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-start) START=0; shift ;;
    *) echo "usage: $0 [--prefix DIR] [--no-build] [--no-start]" >&2; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
cd "$(dirname "$0")/.."
NODE=$(command -v node) || { echo "install.sh: node not found (Node.js 20 or later is needed)" >&2; exit 1; }

if [ "$BUILD" = 1 ]; then
  npm ci --no-audit --no-fund
  npm run build
fi

echo "installing into $PREFIX"
install -d "$PREFIX"
rm -rf "$PREFIX/dist" "$PREFIX/node_modules"
cp -R package.json package-lock.json README.md dist node_modules systemd "$PREFIX/"

install -m 0644 systemd/evsed.sysusers /usr/lib/sysusers.d/evsed.conf
systemd-sysusers /usr/lib/sysusers.d/evsed.conf
install -m 0644 systemd/evsed.tmpfiles /usr/lib/tmpfiles.d/evsed.conf
systemd-tmpfiles --create /usr/lib/tmpfiles.d/evsed.conf

sed -e "s#/usr/bin/node#$NODE#" -e "s#/opt/evsed#$PREFIX#g" systemd/evsed.service > /etc/systemd/system/evsed.service
chmod 0644 /etc/systemd/system/evsed.service
ln -sf "$PREFIX/dist/src/cli/evsectl.js" /usr/local/bin/evsectl

FRESH=0
if [ ! -f /etc/evsed/evsed.json ]; then
  install -m 0640 -o root -g evsed systemd/evsed.example.json /etc/evsed/evsed.json
  FRESH=1
fi

systemctl daemon-reload
systemctl enable evsed
if [ "$FRESH" = 1 ]; then
  echo "edit /etc/evsed/evsed.json (identity, csms, evses, hardware), then: systemctl start evsed"
elif [ "$START" = 1 ]; then
  systemctl restart evsed
  systemctl --no-pager status evsed || true
fi
echo "done. Logs: journalctl -u evsed -f   Status: evsectl status (root or group evsed)"
