#!/bin/sh
# meson install step: create the config from the example unless the operator
# already has one (a re-install never overwrites edited settings).
set -eu
dir="${DESTDIR:-}$1"
if [ ! -e "$dir/flowrx.conf" ]; then
	cp "$dir/flowrx.conf.example" "$dir/flowrx.conf"
	echo "flowrx: created $dir/flowrx.conf from flowrx.conf.example"
fi
