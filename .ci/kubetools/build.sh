#!/usr/bin/env bash
# Builds a real kube-apiserver and etcd from the Go module proxy for the
# end-to-end tests of sources/kube (no release downloads are reachable here).
#
#   bash .ci/kubetools/build.sh DEST
#
# puts DEST/bin/kube-apiserver and DEST/bin/etcd, then writes the stamp file
# DEST/<stamp>, named after the versions, a hash of go.mod and go.sum and the
# recipe number below. When the stamp exists the build is skipped, so CI can
# cache DEST keyed by version. A cold build took 5m21s on 2 shared cores
# (7m36s of CPU), 2.8 GB of Go build cache and 0.6 GB of modules. Tests find
# the binaries through NEGTRACE_KUBE_BIN_DIR=DEST/bin.
#
# The versions come from go.mod beside this script (module
# negtrace.local/kubetools, kept out of the service's go.mod): it requires
# k8s.io/kubernetes and go.etcd.io/etcd/server/v3 as tools and replaces every
# k8s.io staging module with its published release of the same version.
set -euo pipefail

if (($# != 1)); then
	echo "usage: $0 DEST" >&2
	exit 2
fi
dest=$1
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

modver() { awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' go.mod; }
kube=$(modver k8s.io/kubernetes)
etcd=$(modver go.etcd.io/etcd/server/v3)
if [[ -z "$kube" || -z "$etcd" ]]; then
	echo "build.sh: cannot read the k8s.io/kubernetes and etcd versions from $here/go.mod" >&2
	exit 1
fi
# Bump when the build commands or flags below change, to rebuild cached copies.
recipe=1
hash=$(cat go.mod go.sum | sha256sum | cut -c1-12)
stamp="$dest/built-kube-$kube-etcd-$etcd-$hash-r$recipe"

if [[ -f "$stamp" && -x "$dest/bin/kube-apiserver" && -x "$dest/bin/etcd" ]]; then
	echo "kubetools: kube-apiserver $kube and etcd $etcd already in $dest/bin"
	exit 0
fi

echo "kubetools: building kube-apiserver $kube and etcd $etcd into $dest/bin (cold: about 6 min)"
start=$(date +%s)
mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.build.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

# The version kube-apiserver reports (and derives its emulation version from),
# as hack/lib/version.sh sets it for release builds.
major=${kube#v}; major=${major%%.*}
minor=${kube#v"$major".}; minor=${minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	ldflags+=" -X $pkg.gitVersion=$kube -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

export GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false"
export CGO_ENABLED=0
go build -trimpath -ldflags "$ldflags" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3

"$tmp/kube-apiserver" --version
"$tmp/etcd" --version | head -n 1

rm -rf "$dest/bin" "$dest"/built-*
mv "$tmp" "$dest/bin"
trap - EXIT
touch "$stamp"
echo "kubetools: built in $(($(date +%s) - start))s"
