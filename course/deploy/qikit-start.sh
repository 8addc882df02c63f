#!/bin/sh
# Start of every qikit single-user container: give the pod's uid an account name, then run the server.
#
#     ENTRYPOINT ["tini", "--", "/usr/local/bin/qikit-start"]   CMD ["jupyterhub-singleuser"]
#
# On Kubernetes each trainee's pod runs under its own uid (10000 + the hub's user id, see
# z2jh/values.yaml), which the image's /etc/passwd cannot know in advance. nbgrader asks the system
# for the name of the current uid (pwd.getpwuid) on every submit and fetch_feedback, and fails with
# KeyError when there is none. Rather than make /etc/passwd writable by everyone, this script writes
# a copy of /etc/passwd and /etc/group with one more line, the trainee's (name from JUPYTERHUB_USER),
# into a private folder (mode 700) and has nss_wrapper (Debian's libnss-wrapper, loaded through
# LD_PRELOAD) answer the server and every kernel from it.
#
# Instructors' pods (QIKIT_PASSWD_ROSTER set by the hub) also get a line for each trainee from the
# roster the hub's init containers keep in the exchange (one root-written file per trainee), so that
# collecting submissions can tell whose files are whose. The copy is rewritten every
# QIKIT_ROSTER_REFRESH seconds (default 30) while the server runs; nss_wrapper rereads a changed file.
#
# Settings (environment): JUPYTERHUB_USER (the name, set by the hub), QIKIT_NSS_WRAPPER (path of
# libnss_wrapper.so if not in the usual place), QIKIT_PASSWD_ROSTER, QIKIT_ROSTER_REFRESH.
set -eu

me=qikit-start
name=${JUPYTERHUB_USER:-${NB_USER:-jovyan}}
uid=$(id -u)
gid=$(id -g)
home=${HOME:-/home/jovyan}
roster=${QIKIT_PASSWD_ROSTER:-}
every=${QIKIT_ROSTER_REFRESH:-30}

# JupyterHub allows characters a passwd file cannot hold (':' and new lines among them): refuse those.
case $name in
    '' | -* | *[!A-Za-z0-9._@-]*)
        echo "$me: the username '$name' cannot be an account name (letters, digits, . _ @ - only)." >&2
        exit 64 ;;
esac
case $every in '' | *[!0-9]* | 0) every=30 ;; esac

# Already right (the single machine, or an image user of that name): nothing to do.
if [ "$(getent passwd "$uid" 2>/dev/null | cut -d: -f1)" = "$name" ] && [ -z "$roster" ]; then
    exec "$@"
fi

lib=${QIKIT_NSS_WRAPPER:-}
if [ -z "$lib" ]; then
    for candidate in /usr/lib/*/libnss_wrapper.so /usr/lib64/libnss_wrapper.so /usr/lib/libnss_wrapper.so; do
        if [ -r "$candidate" ]; then lib=$candidate; break; fi
    done
fi
if [ -z "$lib" ] || [ ! -r "$lib" ]; then
    echo "$me: uid $uid has no account name and libnss_wrapper.so is missing: nbgrader cannot submit or" \
         "fetch feedback. Install Debian's libnss-wrapper in the image (see course/deploy/Dockerfile)." >&2
    exit 69
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/qikit-nss.XXXXXXXX")  # mode 700: only this uid reads it
chmod 700 "$dir"

# /etc/passwd without any line of the same name or uid, then the trainee, then (instructors) the roster:
# only well-formed lines whose name is their file's name, for uids at or above 10000, each name and uid once.
write_passwd() {
    {
        awk -F: -v n="$name" -v u="$uid" '$1 != n && $3 != u' /etc/passwd
        printf '%s:x:%s:%s:%s:%s:%s\n' "$name" "$uid" "$gid" "$name" "$home" /bin/sh
        if [ -n "$roster" ] && [ -d "$roster" ]; then
            for entry in "$roster"/*; do
                [ -f "$entry" ] && [ -r "$entry" ] || continue
                awk -F: -v file="${entry##*/}" -v n="$name" -v u="$uid" '
                    NR == 1 && NF == 7 && $1 == file && $1 ~ /^[a-z][a-z0-9_-]*$/ && $2 == "x" &&
                    $3 ~ /^[0-9]+$/ && $3 >= 10000 && $4 ~ /^[0-9]+$/ && $1 != n && $3 != u { print }
                ' "$entry"
            done | awk -F: '!seen_name[$1]++ && !seen_uid[$3]++'
        fi
    } > "$dir/passwd.new"
    mv -f "$dir/passwd.new" "$dir/passwd"
}

write_passwd
# Every group of this process gets a line (the pod's supplemental groups are numbers the image never saw).
{
    cat /etc/group
    for g in $(id -G); do
        getent group "$g" >/dev/null 2>&1 || printf 'gid%s:x:%s:\n' "$g" "$g"
    done
} > "$dir/group"

export NSS_WRAPPER_PASSWD="$dir/passwd" NSS_WRAPPER_GROUP="$dir/group"
export LD_PRELOAD="$lib${LD_PRELOAD:+ $LD_PRELOAD}"
export USER="$name" LOGNAME="$name"

# Whether process $1 still runs (exists, and is not a zombie waiting for its parent to reap it).
running() {
    kill -0 "$1" 2>/dev/null || return 1
    [ -r "/proc/$1/stat" ] || return 0
    case $(sed 's/^.*) //' "/proc/$1/stat") in Z*) return 1 ;; esac
}

if [ -n "$roster" ]; then
    # Keep the roster current while this process (the server, once exec'd) runs. The loop holds none
    # of the server's output streams, so whoever reads them sees them end when the server ends.
    main=$$
    ( while sleep "$every" && running "$main"; do write_passwd || true; done ) </dev/null >/dev/null 2>&1 &
fi

exec "$@"
