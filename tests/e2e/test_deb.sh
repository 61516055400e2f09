#!/usr/bin/env bash
# The Debian package (CPack, packaging/package.cmake): built from a release
# tree, installed, upgraded to a higher version, removed and purged with dpkg
# inside a throw-away root: a mount and network namespace with an overlay
# whose lower layer is / and whose upper layer is a directory of this test,
# chrooted into. The host's dpkg database and files are not touched (checked).
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd dpkg dpkg-deb cpack unshare chroot sha256sum

SB=$E2E_TMP/sandbox
mkdir -p "$SB"
host_state() {
	dpkg -l wgmesh 2>&1 || true
	sha256sum /var/lib/dpkg/status
	getent group wgmesh || true
	ls -ld /etc/wgmesh /var/lib/wgmesh /usr/sbin/wgmesh /usr/sbin/wgmeshd 2>&1 || true
}
host_state >"$E2E_TMP/host.before"

# The throw-away root, held by a process in its own mount and network
# namespaces (so the postinst's sysctls stay there too). The overlay's upper
# layer is on a tmpfs: overlayfs refuses an upper layer inside its lower one.
unshare -m -n --propagation private sh -c '
	sb=$1
	mount -t tmpfs tmpfs "$sb" && mkdir "$sb/upper" "$sb/work" "$sb/root" &&
	mount -t overlay overlay -o "lowerdir=/,upperdir=$sb/upper,workdir=$sb/work" "$sb/root" &&
	mount -t proc proc "$sb/root/proc" && mount --rbind /dev "$sb/root/dev" &&
	mount -t tmpfs tmpfs "$sb/root/run" && echo $$ >"$sb.pid" && exec sleep infinity
	echo "mounting the throw-away root failed" >"$sb.err"' _ "$SB" &
e2e_on_exit "kill $!"
wait_until 10 test -s "$SB.pid" || fail "the throw-away root did not come up: $(cat "$SB.err" 2>/dev/null)"
holder=$(cat "$SB.pid")
in_root() { nsenter -t "$holder" -m -n chroot "$SB/root" "$@"; }

# The package of a release tree: tests/run.sh's optimised build without
# sanitizers when it is there, else one of this test's own (kept in the test
# build; only what the package and install.sh --no-build need is built).
if [ -f "$WGM_BUILD_DIR/release/CPackConfig.cmake" ]; then
	BUILD=$WGM_BUILD_DIR/release
else
	BUILD=$WGM_BUILD_DIR/deb
	cmake -S "$WGM_SRC_DIR" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWGM_TESTS=OFF \
		-DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >"$E2E_TMP/build.log" 2>&1 || fail "cmake failed: $(tail -3 "$E2E_TMP/build.log")"
fi
e2e_log "building the programs and packages in $BUILD"
cmake --build "$BUILD" -j2 --target wgmesh wgmeshd wgmesh-delayq man >>"$E2E_TMP/build.log" 2>&1 || fail "the build failed: $(tail -3 "$E2E_TMP/build.log")"
version=$("$BUILD/wgmesh" --version | awk '{print $2}')
pack() { # pack VERSION -> the .deb's path
	rm -rf "$E2E_TMP/pkg-$1"
	(cd "$BUILD" && cpack -G DEB -B "$E2E_TMP/pkg-$1" -D CPACK_PACKAGE_VERSION="$1") >>"$E2E_TMP/build.log" 2>&1 ||
		fail "cpack $1 failed: $(tail -3 "$E2E_TMP/build.log")"
	ls "$E2E_TMP/pkg-$1"/wgmesh_"$1"_*.deb
}
deb1=$(pack "$version") || exit 1
deb2=$(pack "$version+1") || exit 1
[ "$(basename "$deb1")" = "wgmesh_${version}_$(dpkg --print-architecture).deb" ] || fail "package named $(basename "$deb1")"

e2e_log "the package's metadata and files"
deps=$(dpkg-deb -f "$deb1" Depends)
for d in bird2 'wireguard-tools | wireguard-go' iproute2 iptables libmnl0 libjansson4 libcurl4 libmicrohttpd12 libsodium23 libncursesw6; do
	grep -qF "$d" <<<"$deps" || fail "Depends lacks $d: $deps"
done
grep -q 'libasan' <<<"$deps" && fail "the package depends on the sanitizers: $deps"
e2e_log "Depends: $deps"
contents=$(dpkg-deb -c "$deb1")
for f in ./usr/sbin/wgmesh ./usr/sbin/wgmeshd ./usr/lib/systemd/system/wgmeshd.service ./etc/sysctl.d/99-wgmesh.conf \
	./usr/share/man/man8/wgmesh.8 ./usr/share/man/man8/wgmeshd.8 ./usr/share/man/man5/wgmesh-config.5 \
	./usr/share/bash-completion/completions/wgmesh ./usr/share/doc/wgmesh/install.md ./etc/wgmesh/ ./var/lib/wgmesh/; do
	grep -qE " $f(\.gz)?\$" <<<"$contents" || fail "the package lacks $f"
done
dpkg-deb -I "$deb1" conffiles | grep -qx /etc/sysctl.d/99-wgmesh.conf || fail "the sysctl file is not a conffile"

e2e_log "install"
in_root dpkg -i "$deb1" >"$E2E_TMP/dpkg.log" 2>&1 || fail "dpkg -i failed: $(tail -5 "$E2E_TMP/dpkg.log")"
[ "$(in_root dpkg-query -W -f='${Status} ${Version}' wgmesh)" = "install ok installed $version" ] ||
	fail "dpkg does not list wgmesh $version as installed in the root"
expect_mode() { # expect_mode PATH MODE
	local mode
	mode=$(in_root stat -c %a "$1") || fail "missing in the root: $1"
	[ "$mode" = "$2" ] || fail "$1 has mode $mode, expected $2"
}
expect_mode /usr/sbin/wgmesh 755
expect_mode /usr/sbin/wgmeshd 755
expect_mode /usr/lib/systemd/system/wgmeshd.service 644
expect_mode /etc/sysctl.d/99-wgmesh.conf 644
expect_mode /etc/wgmesh 700
expect_mode /var/lib/wgmesh 700
expect_mode /usr/share/bash-completion/completions/wgmesh 644
in_root grep -q '^wgmesh:x:[0-9]*:' /etc/group || fail "postinst did not create group wgmesh"
out=$(in_root wgmesh --version) || fail "the installed wgmesh does not run: $out"
[ "$out" = "wgmesh $version" ] || fail "the installed wgmesh says '$out'"
in_root wgmeshd --version >/dev/null || fail "the installed wgmeshd does not run"
in_root man -w wgmesh-config >/dev/null 2>&1 || fail "man does not find wgmesh-config(5) in the root"
# The unit is the one install.sh writes, with the package's paths.
mkdir -p "$E2E_TMP/staging/etc"
WGM_INSTALL_ROOT=$E2E_TMP/staging WGM_INSTALL_BUILD_DIR=$BUILD "$WGM_SRC_DIR/install.sh" --no-deps --no-build \
	>"$E2E_TMP/install.log" 2>&1 || fail "install.sh into a staging root failed: $(tail -1 "$E2E_TMP/install.log")"
diff <(sed 's|/usr/local/|/usr/|g' "$E2E_TMP/staging/etc/systemd/system/wgmeshd.service") \
	<(in_root cat /usr/lib/systemd/system/wgmeshd.service) >"$E2E_TMP/unit.diff" ||
	fail "the package's unit differs from install.sh's: $(cat "$E2E_TMP/unit.diff")"
cmp -s "$E2E_TMP/staging/etc/sysctl.d/99-wgmesh.conf" <(in_root cat /etc/sysctl.d/99-wgmesh.conf) || fail "the sysctl files differ"

e2e_log "a node's config and state survive an upgrade"
in_root wgmesh --config /etc/wgmesh/config.json init 4 --state-dir /var/lib/wgmesh >"$E2E_TMP/init.log" 2>&1 ||
	fail "wgmesh init in the root failed: $(tail -2 "$E2E_TMP/init.log")"
sum=$(in_root sha256sum /etc/wgmesh/config.json)
in_root sh -c 'echo keep >/var/lib/wgmesh/marker'
in_root dpkg -i "$deb2" >>"$E2E_TMP/dpkg.log" 2>&1 || fail "dpkg -i of $version+1 failed: $(tail -5 "$E2E_TMP/dpkg.log")"
[ "$(in_root dpkg-query -W -f='${Version}' wgmesh)" = "$version+1" ] || fail "the upgrade did not install $version+1"
[ "$(in_root sha256sum /etc/wgmesh/config.json)" = "$sum" ] || fail "the upgrade changed the config"
in_root test -f /var/lib/wgmesh/marker || fail "the upgrade lost the state directory's contents"
in_root grep -q '^wgmesh:' /etc/group || fail "the upgrade lost group wgmesh"
expect_mode /etc/wgmesh 700

e2e_log "remove keeps config and state; purge removes them"
in_root dpkg -r wgmesh >>"$E2E_TMP/dpkg.log" 2>&1 || fail "dpkg -r failed: $(tail -5 "$E2E_TMP/dpkg.log")"
in_root test -e /usr/sbin/wgmeshd && fail "dpkg -r left /usr/sbin/wgmeshd"
in_root sh -c "ls /usr/share/man/man8/wgmesh.8*" >/dev/null 2>&1 && fail "dpkg -r left the man page"
[ "$(in_root sha256sum /etc/wgmesh/config.json)" = "$sum" ] || fail "dpkg -r changed or removed the config"
in_root test -f /var/lib/wgmesh/marker || fail "dpkg -r removed the state"
in_root test -f /etc/sysctl.d/99-wgmesh.conf || fail "dpkg -r removed the conffile (only purge should)"
in_root dpkg --purge wgmesh >>"$E2E_TMP/dpkg.log" 2>&1 || fail "dpkg --purge failed: $(tail -5 "$E2E_TMP/dpkg.log")"
for p in /etc/wgmesh /var/lib/wgmesh /etc/sysctl.d/99-wgmesh.conf; do
	in_root test -e "$p" && fail "purge left $p"
done
in_root getent group wgmesh >/dev/null && fail "purge left group wgmesh"
in_root dpkg-query -W wgmesh >/dev/null 2>&1 && fail "dpkg still knows wgmesh after purge"

e2e_log "the host was not touched"
host_state >"$E2E_TMP/host.after"
diff -u "$E2E_TMP/host.before" "$E2E_TMP/host.after" || fail "the host's dpkg state or files changed"
e2e_log "ok: $(basename "$deb1") and $(basename "$deb2"): install, upgrade, remove, purge"
