# Sourced by bench/run: the customers CSV import of issue 18, measured through the real
# pages. Creates a company with `doorstep company create`, sets its admin's password with
# the one-time link, signs in to the office, uploads a generated file of $IMPORT_ROWS rows
# (the dry run), starts the import and polls its progress until it ends. Records the dry
# run's and the import's seconds in IMPORT_RESULT[backend].

declare -A IMPORT_RESULT

# Writes a customers file of $1 rows to $2 (every row good, each with its own reference).
import_file() {
    awk -v n="$1" 'BEGIN {
        print "name,type,email,phone,billing_line1,billing_city,billing_region,billing_postal_code,external_ref,notes,tax_exempt,payment_terms_days"
        for (i = 1; i <= n; i++)
            printf "Bench Customer %d,%s,customer%d@example.com,555 010 %04d,%d Main Street,Springfield,IL,62701,BENCH-%d,Imported by bench/run,%s,30\n",
                i, (i % 4 == 0 ? "commercial" : "residential"), i, i % 10000, i, i, (i % 10 == 0 ? "yes" : "no")
    }' >"$2"
}

# Seconds since the epoch, with fractions.
now_s() { date +%s.%N; }

# $1: backend, $2: database URL, $3: port (a server for the URL is listening there).
measure_import() {
    local backend="$1" url="$2" port="$3"
    local slug="importbench" email="admin@importbench.example.com" password="import-bench-password"
    local host="$slug.localhost:$port" base="http://127.0.0.1:$port"
    local jar="$WORK/import-cookies-$backend" file="$WORK/import-$backend.csv"
    say "$backend: import of $IMPORT_ROWS customers (generating the file)"
    import_file "$IMPORT_ROWS" "$file"
    local out link token code page
    out=$("$SERVER" company create --database-url "$url" --base-domain localhost --bind "127.0.0.1:$port" \
        --data-dir "$WORK/data-$backend" --slug "$slug" --name "Import bench" --admin-email "$email" 2>&1) ||
        die "company create failed: $out"
    link=$(grep -o '/office/setup/[0-9a-zA-Z_-]*' <<<"$out" | head -1)
    [[ -n $link ]] || die "no setup link in: $out"
    curl_i() { curl -s -c "$jar" -b "$jar" -H "Host: $host" "$@"; }
    token=$(curl_i "$base$link" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed -e 's/.*value="//' -e 's/"$//')
    code=$(curl_i -o /dev/null -w '%{http_code}' -H "Origin: http://$host" --data-urlencode "csrf_token=$token" \
        --data-urlencode "password=$password" --data-urlencode "confirm=$password" "$base$link")
    [[ $code == 303 || $code == 200 ]] || die "setting the admin's password answered HTTP $code"
    # Setting the password signs the admin in; sign in by the form when it did not.
    if [[ $(curl_i -o /dev/null -w '%{http_code}' "$base/office/customers/import") != 200 ]]; then
        token=$(curl_i "$base/office" | { grep -o 'name="csrf_token" value="[^"]*"' || true; } | head -1 | sed -e 's/.*value="//' -e 's/"$//')
        code=$(curl_i -o /dev/null -w '%{http_code}' -H "Origin: http://$host" --data-urlencode "csrf_token=$token" \
            --data-urlencode "email=$email" --data-urlencode "password=$password" "$base/office/sign-in")
        [[ $code == 303 ]] || die "office sign-in answered HTTP $code"
    fi
    token=$(curl_i "$base/office/customers/import" | { grep -o 'name="csrf_token" value="[^"]*"' || true; } | head -1 | sed -e 's/.*value="//' -e 's/"$//')
    [[ -n $token ]] || die "no csrf_token on the import page (signed in?)"

    local t0 t1 t2 body key
    t0=$(now_s)
    body=$(curl_i -H "Origin: http://$host" -F "csrf_token=$token" -F "file=@$file;type=text/csv" "$base/office/customers/import")
    t1=$(now_s)
    key=$({ grep -o 'name="key" value="[0-9a-f]*"' <<<"$body" || true; } | head -1 | sed -e 's/.*value="//' -e 's/"$//')
    [[ -n $key ]] || die "the dry run offered no import: $(grep -o 'Row [0-9]*:[^<]*' <<<"$body" | head -3)"
    page=$(curl_i -o /dev/null -w '%{redirect_url}' -H "Origin: http://$host" --data-urlencode "csrf_token=$token" \
        --data-urlencode "key=$key" --data-urlencode "file_name=bench.csv" "$base/office/customers/import/start")
    page="/${page#http*://*/}"
    [[ $page == /office/import/customers/* || $page == /office/customers/import/* ]] || die "starting the import did not open its page: $page"
    local status="" progress
    for _ in $(seq 1 6000); do
        # The progress stream (server-sent events) ends once the import has: its last event tells.
        progress=$(curl_i "$base$page/progress")
        status=$({ grep -o '"status":"[a-z]*"' <<<"$progress" || true; } | tail -1 | sed -e 's/.*:"//' -e 's/"$//')
        [[ $status == done || $status == failed ]] && break
        sleep 0.1
    done
    t2=$(now_s)
    [[ $status == done ]] || die "the import ended $status: $progress"
    local dry total
    dry=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    total=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')
    IMPORT_RESULT[$backend]="$IMPORT_ROWS rows ($(du -h "$file" | cut -f1)): upload and dry run $dry s, import $total s (from the start button to the progress page reading done)"
    echo "   import: ${IMPORT_RESULT[$backend]}" >&2
}

# --import-only: an empty, migrated database, the server, the import; nothing else.
import_only_backend() {
    local backend="$1" url="$2" port
    "$SERVER" migrate --database-url "$url" >"$WORK/migrate-$backend.log" 2>&1 ||
        die "migrate failed: $(tail -5 "$WORK/migrate-$backend.log")"
    port=$(free_port)
    mkdir -p "$WORK/data-$backend"
    "$SERVER" serve --database-url "$url" --bind "127.0.0.1:$port" --base-domain localhost \
        --data-dir "$WORK/data-$backend" --metrics-bind off --shutdown-grace-secs 0 \
        >"$WORK/server-$backend.log" 2>&1 &
    SERVER_PID=$!
    local up=0
    for _ in $(seq 1 300); do
        if curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; then up=1; break; fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.2
    done
    [[ $up -eq 1 ]] || die "the server did not come up: $(tail -20 "$WORK/server-$backend.log")"
    MEASURED_AT[$backend]=$(date -u '+%Y-%m-%d %H:%M UTC')
    SEED_COUNTS[$backend]="an empty database (--import-only)"
    SEED_SECONDS[$backend]="0"
    measure_import "$backend" "$url" "$port"
    stop_server
    [[ $backend == postgres ]] && stop_postgres
    return 0
}
