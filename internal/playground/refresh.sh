#!/bin/sh
# refresh.sh replaces the GraphiQL bundles embedded in the binary with the
# ones of the npm packages named below, so the playground works without
# internet access. Run it from anywhere; it needs npm and a reachable
# registry, and writes only into the assets directory next to it.
#
# GraphiQL 4.1 is the last release that ships a UMD bundle, which runs
# from plain <script> tags without a bundler; React 18 is the last major
# version that ships UMD builds.
set -eu

GRAPHIQL_VERSION=${GRAPHIQL_VERSION:-4.1.2}
REACT_VERSION=${REACT_VERSION:-18.3.1}

assets=$(cd "$(dirname "$0")" && pwd)/assets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" \
	"react-dom@$REACT_VERSION" >/dev/null
for pkg in graphiql react react-dom; do
	case $pkg in
	graphiql) version=$GRAPHIQL_VERSION ;;
	*) version=$REACT_VERSION ;;
	esac
	mkdir "$pkg"
	tar -xzf "$pkg-$version.tgz" -C "$pkg" --strip-components 1
done

# copy strips the source-map comment: the maps are not embedded, and a
# browser's developer tools would otherwise ask the server for them.
copy() {
	sed '/^\/\/# sourceMappingURL=/d' "$1" >"$assets/$2"
}

mkdir -p "$assets"
copy graphiql/graphiql.min.js graphiql.min.js
copy graphiql/graphiql.min.css graphiql.min.css
copy react/umd/react.production.min.js react.production.min.js
copy react-dom/umd/react-dom.production.min.js react-dom.production.min.js
cp graphiql/LICENSE "$assets/LICENSE.graphiql"
cp react/LICENSE "$assets/LICENSE.react"

{
	echo "Embedded playground assets, written by refresh.sh."
	echo
	echo "graphiql  $GRAPHIQL_VERSION  graphiql.min.js graphiql.min.css (UMD, bundles graphql)"
	echo "react     $REACT_VERSION  umd/react.production.min.js"
	echo "react-dom $REACT_VERSION  umd/react-dom.production.min.js"
	echo
	echo "sha256 of the files as embedded:"
	cd "$assets"
	sha256sum graphiql.min.js graphiql.min.css react.production.min.js \
		react-dom.production.min.js
} >"$assets/VERSIONS"
