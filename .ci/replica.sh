#!/usr/bin/env bash
# A PostgreSQL streaming replica of the local primary, for the tests that read the dashboards through it.
#
#   .ci/replica.sh start   copy the primary with pg_basebackup -R into REPLICA_DIR, start the copy on
#                          REPLICA_PORT as a hot standby and wait until it replays (pg_is_in_recovery)
#   .ci/replica.sh stop    stop it and remove REPLICA_DIR
#
# The primary (PRIMARY_HOST:PRIMARY_PORT, user postgres, trust) must accept replication connections
# from 127.0.0.1: when it does not, one pg_hba line is appended (once) and the configuration reloaded.
# Nothing else about the primary changes. initdb and pg_ctl refuse to run as root: run as root, the
# server commands run as the postgres user.
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/tmp/desa-jaminan-replica}
DATA="$REPLICA_DIR/data"
MARK="$REPLICA_DIR/.desa-jaminan-replica" # stop removes only a directory this script made
HBA_LINE="host replication postgres 127.0.0.1/32 trust"

primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -tAXc "$1"; }
replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -tAXc "$1"; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

# The standby runs the primary's major version: its binaries, not whichever pg_ctl is first on PATH.
pg_bin() {
    local major
    major=$(primary "SELECT current_setting('server_version_num')::int / 10000")
    echo "${PGBIN:-/usr/lib/postgresql/$major/bin}"
}

replication_allowed() {
    psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres replication=true" -tAXc "IDENTIFY_SYSTEM" \
        >/dev/null 2>&1
}

allow_replication() {
    replication_allowed && return 0
    local hba
    hba=$(primary "SHOW hba_file")
    if ! grep -qxF "$HBA_LINE" "$hba"; then
        # First, since the first matching line decides (Debian's own replication lines ask a password).
        echo "replica: adding '$HBA_LINE' at the top of $hba"
        sudo_ sed -i "1i $HBA_LINE" "$hba"
    fi
    primary "SELECT pg_reload_conf()" >/dev/null
    for _ in $(seq 10); do replication_allowed && return 0; sleep 0.5; done
    echo "replica: the primary still refuses replication from 127.0.0.1 (see $hba)" >&2
    return 1
}

running() { [ -f "$DATA/postmaster.pid" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

stop() {
    if [ ! -f "$MARK" ]; then
        echo "replica: nothing to stop in $REPLICA_DIR"
        return 0
    fi
    if running; then
        as_postgres "$(pg_bin)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
        echo "replica: stopped"
    fi
    rm -rf "$REPLICA_DIR"
}

start() {
    if [ -f "$MARK" ] && running; then
        echo "replica: already running on 127.0.0.1:$REPLICA_PORT ($DATA)"
    else
        [ ! -f "$MARK" ] || stop  # a copy left by an earlier run
        if pg_isready -h 127.0.0.1 -p "$REPLICA_PORT" -q; then
            echo "replica: port $REPLICA_PORT is taken by another server; set REPLICA_PORT" >&2
            return 1
        fi
        allow_replication
        local bin
        bin=$(pg_bin)
        mkdir -p "$REPLICA_DIR"
        touch "$MARK"
        chmod 755 "$REPLICA_DIR"
        [ "$(id -u)" -ne 0 ] || chown postgres: "$REPLICA_DIR"
        # -R writes standby.signal and primary_conninfo; -X stream carries the WAL of the copy itself.
        as_postgres "$bin/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$DATA" \
            -R -X stream --checkpoint=fast --no-sync
        # Debian keeps postgresql.conf and pg_hba.conf outside the data directory, so the copy may have
        # none; where it has the primary's, these lines come last and win. A hot standby needs at least
        # the primary's connection and worker limits.
        as_postgres tee -a "$DATA/postgresql.conf" >/dev/null <<EOF
# .ci/replica.sh: a throwaway hot standby for the tests
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$REPLICA_DIR'
hba_file = '$DATA/pg_hba.conf'
ident_file = '$DATA/pg_ident.conf'
hot_standby = on
fsync = off
ssl = off
max_connections = $(primary "SHOW max_connections")
max_worker_processes = $(primary "SHOW max_worker_processes")
max_wal_senders = $(primary "SHOW max_wal_senders")
max_prepared_transactions = $(primary "SHOW max_prepared_transactions")
max_locks_per_transaction = $(primary "SHOW max_locks_per_transaction")
EOF
        printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_postgres tee "$DATA/pg_hba.conf" >/dev/null
        as_postgres touch "$DATA/pg_ident.conf"
        as_postgres "$bin/pg_ctl" -D "$DATA" -l "$REPLICA_DIR/replica.log" -w -t 60 start >/dev/null
    fi
    for _ in $(seq 60); do
        if [ "$(replica "SELECT pg_is_in_recovery()" 2>/dev/null)" = "t" ]; then
            echo "replica: streaming from $PRIMARY_HOST:$PRIMARY_PORT, read-only on 127.0.0.1:$REPLICA_PORT"
            return 0
        fi
        sleep 0.5
    done
    echo "replica: not in recovery after 30 s; log: $REPLICA_DIR/replica.log" >&2
    tail -n 20 "$REPLICA_DIR/replica.log" >&2 || true
    return 1
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 start|stop  (REPLICA_PORT=$REPLICA_PORT, REPLICA_DIR=$REPLICA_DIR)" >&2
    exit 2
    ;;
esac
