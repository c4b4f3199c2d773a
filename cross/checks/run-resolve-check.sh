#!/usr/bin/env bash
# Proves that the static agent resolves host names on its own, with no shared
# library and no sysroot: runs resolve_check (built for the target) under qemu,
# or natively under strace when no qemu is named (the amd64 build), in private
# mount and network namespaces, where
#   /etc/hosts          names meter.wattline.test
#   /etc/resolv.conf    points at a DNS server on 127.0.0.1 (dns_stub.py) that
#                       knows aggregator.wattline.test
#   /etc/nsswitch.conf  lists NSS modules that a static glibc would dlopen()
#                       (mdns4_minimal, myhostname) before files and dns, as
#                       Raspberry Pi OS does
# and OPENSSL_CONF names a configuration file that asks OpenSSL to load a
# provider module. The machine's own files are never touched: the test files
# are bind-mounted inside the namespaces, which vanish with the check. The
# check passes when every name resolves as expected and neither a libnss_*.so
# nor the provider module was even looked for.
#
# Usage: cross/checks/run-resolve-check.sh RESOLVE_CHECK [QEMU [QEMU_ARG...]]
#   e.g. run-resolve-check.sh build-armel/cross-checks/resolve_check qemu-arm -cpu arm1176
#        run-resolve-check.sh build-amd64/cross-checks/resolve_check
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ "${1:-}" != "--inside" ]; then
  [ $# -ge 1 ] || { echo "usage: $0 RESOLVE_CHECK [QEMU [QEMU_ARG...]]" >&2; exit 2; }
  binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  shift
  userns=()
  if [ "$(id -u)" != 0 ]; then userns=(--map-root-user); fi
  if unshare "${userns[@]}" --mount --net --propagation private true 2>/dev/null; then
    exec unshare "${userns[@]}" --mount --net --propagation private -- \
      bash "$here/run-resolve-check.sh" --inside "$binary" "$@"
  fi
  # No namespaces (a restricted container): what can be checked without
  # touching the machine's files.
  echo "run-resolve-check.sh: cannot create mount and network namespaces;" \
       "checking localhost against the machine's own /etc/hosts only" >&2
  env -u QEMU_LD_PREFIX "$@" "$binary" localhost=127.0.0.1
  exit
fi

shift  # --inside
binary="$1"
shift
qemu=("$@")
# Its system calls, on stderr: qemu's own -strace, or strace for a native run.
if [ "${#qemu[@]}" -gt 0 ]; then traced=("${qemu[@]}" -strace); else traced=(strace -f); fi

tmp="$(mktemp -d)"
dns_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ -n "$dns_pid" ]; then kill "$dns_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

ip link set lo up
cat > "$tmp/hosts" <<'EOF'
127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
10.20.30.40 meter.wattline.test meter
EOF
cat > "$tmp/resolv.conf" <<'EOF'
nameserver 127.0.0.1
options timeout:1 attempts:2
EOF
cat > "$tmp/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: mdns4_minimal [NOTFOUND=return] myhostname files dns
services: files
EOF
cat > "$tmp/openssl.cnf" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
probe = probe_sect
[default_sect]
activate = 1
[probe_sect]
module = /nonexistent/wattline-probe-provider.so
activate = 1
EOF
export OPENSSL_CONF="$tmp/openssl.cnf"
for file in hosts resolv.conf nsswitch.conf; do
  if [ -e "/etc/$file" ]; then
    mount --bind "$tmp/$file" "/etc/$file"
  else
    echo "run-resolve-check.sh: no /etc/$file to stand in for; glibc's default applies" >&2
  fi
done

python3 "$here/dns_stub.py" 127.0.0.1 53 aggregator.wattline.test=10.20.30.50 > "$tmp/dns.out" &
dns_pid=$!
for _ in $(seq 50); do
  grep -q ready "$tmp/dns.out" 2>/dev/null && break
  sleep 0.1
done
grep -q ready "$tmp/dns.out" || { echo "run-resolve-check.sh: the DNS stub did not start" >&2; exit 1; }

expectations=(localhost=127.0.0.1 meter.wattline.test=10.20.30.40
              aggregator.wattline.test=10.20.30.50 missing.wattline.test=-)

# Without ConfigureLoadableModules(), for the record: what glibc tries to load.
env -u QEMU_LD_PREFIX "${traced[@]}" "$binary" --no-configure "${expectations[@]}" \
  > "$tmp/plain.out" 2> "$tmp/plain.strace" || true
tried="$(grep -o 'libnss_[a-z0-9_]*\.so[.0-9]*' "$tmp/plain.strace" | sort -u | tr '\n' ' ' || true)"
echo "without ConfigureLoadableModules(), glibc looks for: ${tried:-nothing}"

# With it, as the agent runs: every expectation met, no module looked for.
status=0
env -u QEMU_LD_PREFIX "${traced[@]}" "$binary" "${expectations[@]}" \
  2> "$tmp/pinned.strace" || status=$?
if grep -q 'libnss_' "$tmp/pinned.strace"; then
  echo "FAIL with ConfigureLoadableModules(), glibc still looked for an NSS module:" >&2
  grep 'libnss_' "$tmp/pinned.strace" | head -5 >&2
  status=1
fi
if grep -q 'wattline-probe-provider\|openssl\.cnf' "$tmp/pinned.strace"; then
  echo "FAIL with ConfigureLoadableModules(), OpenSSL still read its configuration:" >&2
  grep 'wattline-probe-provider\|openssl\.cnf' "$tmp/pinned.strace" | head -5 >&2
  status=1
fi
if [ "$status" = 0 ]; then
  echo "ok   no NSS module looked for, openssl.cnf not read; /etc files read:" \
       "$(grep -o '"/etc/[a-z.]*"' "$tmp/pinned.strace" | sort -u | tr -d '"' | tr '\n' ' ')"
fi
exit "$status"
