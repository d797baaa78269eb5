# Private ClickHouse servers for the shipper's end-to-end tests (sourced
# after lib.sh). Each server gets its own config, data directory and
# loopback ports under $WORK; no system service is used or touched. Every
# server started here is stopped by the EXIT trap.
#   ch_start NAME [REMOTE_SERVERS_XML]   start, wait until it answers
#   ch_stop NAME [SIGNAL]                stop (SIGTERM, or e.g. KILL) and wait
#   ch_url NAME                          its HTTP URL
#   ch_q NAME SQL                        run a query, print the result
#   ch_tcp_port NAME                     its native-protocol port (for clusters)
CH_SERVER="$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)"
[ -x "$CH_SERVER" ] || fail "clickhouse-server not installed (scripts/deps.sh test)"
CH_PIDS=()
trap 'for p in "${CH_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$WORK" /var/run/dpdk/frxe2e-$$-*' EXIT

# A free loopback TCP port (the kernel picks it; released at once).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ch_start() {
	local name="$1" remote="${2:-}" dir="$WORK/ch-$1" http tcp
	mkdir -p "$dir/data" "$dir/tmp" "$dir/log"
	if [ ! -f "$dir/ports" ]; then
		echo "$(free_port) $(free_port)" > "$dir/ports"
	fi
	read -r http tcp < "$dir/ports"
	cat > "$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <remote_servers>$remote</remote_servers>
</yandex>
XML
	cat > "$dir/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
	"$CH_SERVER" --config-file="$dir/config.xml" > "$dir/log/stdout.txt" 2>&1 &
	echo $! > "$dir/pid"
	CH_PIDS+=("$!")
	for _ in $(seq 150); do
		[ "$(curl -s "http://127.0.0.1:$http/?query=SELECT%201" 2>/dev/null)" = 1 ] && return 0
		kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/log/stdout.txt" "$dir/log/err.log" 2>/dev/null | tail -20 >&2
	fail "clickhouse-server $name did not start"
}

ch_stop() {
	local dir="$WORK/ch-$1" pid
	pid=$(cat "$dir/pid")
	kill "-${2:-TERM}" "$pid" 2>/dev/null || true
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

ch_url() {
	local http tcp
	read -r http tcp < "$WORK/ch-$1/ports"
	echo "http://127.0.0.1:$http/"
}

ch_tcp_port() {
	local http tcp
	read -r http tcp < "$WORK/ch-$1/ports"
	echo "$tcp"
}

ch_q() {
	local out
	out=$(curl -sS --data-binary "$2" "$(ch_url "$1")") || fail "query to $1 failed: $2"
	case "$out" in
	Code:*) fail "ClickHouse $1: $out (query: $2)" ;;
	esac
	printf '%s\n' "$out"
}

# reader_totals DIR...: "exporter count bytes" lines from flowrx-read, sorted
reader_totals() {
	local d args=()
	for d in "$@"; do args+=(-R "$d"); done
	"$FLOWRX_READ" -q "${args[@]}" -o json | python3 -c '
import collections, json, sys
n = collections.Counter(); b = collections.Counter()
for line in sys.stdin:
    r = json.loads(line)
    n[r["exporter"]] += 1
    b[r["exporter"]] += r["bytes"]
for e in sorted(n):
    print(e, n[e], b[e])
' | sort
}

# ch_totals NAME TABLE: the same from ClickHouse (IPv4-mapped shown as IPv4, as the reader does)
ch_totals() {
	ch_q "$1" "SELECT replaceRegexpOne(IPv6NumToString(exporter), '^::ffff:', '') AS e, count(), sum(bytes) FROM $2 GROUP BY e ORDER BY e FORMAT TSV" |
		tr '\t' ' ' | sort
}
