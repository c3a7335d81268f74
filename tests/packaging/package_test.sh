#!/usr/bin/env bash
# The .deb as an IT desk meets it: built by CPack from this build tree,
# checked by lintian, its unit checked by systemd-analyze, then installed,
# upgraded over an earlier build and purged with dpkg on this machine.
#   package_test.sh BUILD_DIR
# Needs root (dpkg -i); exits 77 (skipped, never passed) otherwise.
set -euo pipefail
build=$(cd "$1" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "package test: needs root for dpkg -i; skipped"; exit 77; }
work=$(mktemp -d /tmp/edgestock-package.XXXXXX)
had_state=no
[ -e /var/lib/edgestock ] && had_state=yes
cleanup() {
  dpkg --purge edgestock >/dev/null 2>&1 || true
  # Only what this test made: an earlier real ledger is never touched.
  [ "$had_state" = no ] && rm -rf /var/lib/edgestock
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package test: FAILED: $*" >&2; exit 1; }
step() { echo "package test: $*"; }

if dpkg-query -W -f='${Status}' edgestock 2>/dev/null | grep -q "install ok installed"; then
  fail "edgestock is already installed on this machine; the test installs and purges it"
fi

step "building the packages (the current version and an upgrade)"
cpack --config "$build/CPackConfig.cmake" -B "$work/v1" >/dev/null
sed 's/0\.1\.0/0.1.0+next1/g' "$build/CPackConfig.cmake" > "$work/CPackConfig-next.cmake"
cpack --config "$work/CPackConfig-next.cmake" -B "$work/v2" >/dev/null
deb=$(ls "$work"/v1/edgestock_*_*.deb)
dbgsym=$(ls "$work"/v1/edgestock-dbgsym_*.ddeb)
next=$(ls "$work"/v2/edgestock_*_*.deb)

step "contents: a stripped binary, the unit, the config as a conffile; symbols apart"
dpkg-deb -c "$deb" > "$work/contents"
for f in ./usr/bin/edgestock ./usr/lib/systemd/system/edgestock.service ./etc/edgestock/edgestock.json \
  ./usr/share/doc/edgestock/copyright ./usr/share/doc/edgestock/changelog.gz ./usr/share/lintian/overrides/edgestock; do
  grep -q " $f\$" "$work/contents" || fail "$f is not in the package"
done
grep -q -- "-rw-r----- root/root .* ./etc/edgestock/edgestock.json" "$work/contents" ||
  fail "the config is not 0640"
dpkg-deb -e "$deb" "$work/control"
[ "$(cat "$work/control/conffiles")" = /etc/edgestock/edgestock.json ] || fail "the config is not a conffile"
grep -q "^Depends: adduser, " "$work/control/control" || fail "no Depends on adduser (postinst makes the user)"
dpkg-deb -x "$deb" "$work/root"
readelf -S "$work/root/usr/bin/edgestock" | grep -q '\.debug_info' && fail "the binary carries its debug information"
size=$(stat -c %s "$work/root/usr/bin/edgestock")
[ "$size" -lt 8000000 ] || fail "the binary is $size bytes"
dpkg-deb -c "$dbgsym" > "$work/symbols"
grep -q '\./usr/lib/debug/\.build-id/.*\.debug$' "$work/symbols" || fail "no symbols in the dbgsym package"
(cd "$work" && mkdir dbg && dpkg-deb -R "$dbgsym" dbg && cd dbg && md5sum --quiet -c DEBIAN/md5sums) ||
  fail "the dbgsym package's md5sums do not match its files"
step "binary $size bytes; symbols in $(basename "$dbgsym")"

step "lintian"
# Every tag left is overridden in packaging/debian/lintian-overrides with its
# reason. The dbgsym package cannot carry overrides (only debug files may be
# in it): its one tag, the maintainer's address, is the main package's.
lintian --fail-on error,warning "$deb"
lintian --fail-on error,warning --suppress-tags bogus-mail-host "$dbgsym"

step "installing"
dpkg -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
getent passwd edgestock >/dev/null || fail "no edgestock user"
[ "$(stat -c '%U:%G %a' /etc/edgestock/edgestock.json)" = "root:edgestock 640" ] ||
  fail "config is $(stat -c '%U:%G %a' /etc/edgestock/edgestock.json), not root:edgestock 640"
/usr/bin/edgestock version > "$work/version"
grep -q "0.1.0" "$work/version" || fail "the installed binary does not run"

step "systemd-analyze verify and security"
systemd-analyze verify /usr/lib/systemd/system/edgestock.service
systemd-analyze security --offline=true --threshold=20 /usr/lib/systemd/system/edgestock.service >"$work/security"
score=$(sed -n 's/.*Overall exposure level for edgestock.service: \([0-9.]*\).*/\1/p' "$work/security")
step "exposure $score (systemd's scale: 0 best, 10 worst)"

step "upgrading: the config the IT desk edited stays"
echo '{ "site": "stjames", "terminal": "ward3-t1" }' > /etc/edgestock/edgestock.json
mkdir -p /var/lib/edgestock
echo "a ledger with moves not yet in Odoo" > /var/lib/edgestock/ledger.db
dpkg -i "$next" >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "dpkg -i of the upgrade"; }
[ "$(dpkg-query -W -f='${Version}' edgestock)" = "0.1.0+next1" ] || fail "not upgraded"
grep -q ward3-t1 /etc/edgestock/edgestock.json || fail "the upgrade replaced the edited config"

step "purging: program and config go, the ledger stays"
dpkg --purge edgestock >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg --purge"; }
[ ! -e /usr/bin/edgestock ] || fail "/usr/bin/edgestock is still there"
[ ! -e /etc/edgestock ] || fail "/etc/edgestock is still there"
[ ! -e /usr/lib/systemd/system/edgestock.service ] || fail "the unit is still there"
[ -e /var/lib/edgestock/ledger.db ] || fail "purge deleted the ledger"
grep -q "the ledger in /var/lib/edgestock was kept" "$work/purge.log" || fail "purge did not say the ledger was kept"
step "ok"
