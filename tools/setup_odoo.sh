#!/usr/bin/env bash
# Makes Odoo 18.0 importable by the project's Python (tools/python.sh), once.
# When it already is (a machine where python3 imports Odoo 18.0, or a .venv made
# earlier), it does nothing. Otherwise it installs the missing system packages
# (as root, with apt-get), gets the Odoo source from ODOO_SRC, and makes the
# project's .venv with requirements-odoo.txt, Odoo itself and
# requirements-test.txt. `make clean-setup` removes the .venv.
#
#   ODOO_SRC     git URL (default: Odoo's repository, branch ODOO_BRANCH, shallow),
#                a local git checkout (cloned the same way) or a plain directory
#                (used in place)
#   ODOO_BRANCH  18.0
#   ODOO_CACHE   where a cloned source is kept and reused
#                (default ~/.cache/crm_workflow_automation/odoo-18.0)
#   BASE_PYTHON  the Python 3.10-3.12 the .venv is made from (default: the first
#                of python3, python3.12, python3.11, python3.10 without CPython's
#                bug gh-106905, else python3; see choose_python below)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$here/tools/python.sh}
ODOO_SRC=${ODOO_SRC:-https://github.com/odoo/odoo.git}
ODOO_BRANCH=${ODOO_BRANCH:-18.0}
ODOO_CACHE=${ODOO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/crm_workflow_automation/odoo-$ODOO_BRANCH}
venv=$here/.venv

if "$here/tools/require_odoo.sh" 2>/dev/null; then
    exit 0
fi
if [ "$(realpath -m "$PYTHON")" != "$(realpath "$here/tools/python.sh")" ]; then
    # PYTHON was chosen by hand: the .venv would not be used.
    exec "$here/tools/require_odoo.sh"
fi

started=$SECONDS
step_started=$SECONDS
step() {
    echo "==> $*"
    step_started=$SECONDS
}
done_step() {
    echo "    done in $((SECONDS - step_started)) s"
}

echo "Odoo 18.0 is not importable by $PYTHON: setting it up in $venv (once)."

# CPython 3.11.0 to 3.11.7 (Debian 12's python3 is 3.11.2) can raise
# "SystemError: AST constructor recursion depth mismatch" when threads parse
# Python at the same time (gh-106905, fixed in 3.11.8; 3.10 and 3.12 do not
# show it). The add-on reads Odoo's manifests at start for that reason
# (crm_workflow_automation/__init__.py, post_load); a Python without the bug
# is preferred all the same, for what else Odoo parses in its HTTP threads.
version_of() {
    "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null
}
supported() {
    case "$1" in 3.10.* | 3.11.* | 3.12.*) return 0 ;; *) return 1 ;; esac
}
has_ast_bug() {
    case "$1" in 3.11.[0-7]) return 0 ;; *) return 1 ;; esac
}
# Sets BASE_PYTHON and why it was chosen: the one given, else the first of
# python3, python3.12, python3.11, python3.10 without the bug, else python3.
choose_python() {
    local candidate version
    if [ -n "${BASE_PYTHON:-}" ]; then
        why="given as BASE_PYTHON"
        return
    fi
    for candidate in python3 python3.12 python3.11 python3.10; do
        version=$(version_of "$candidate") || continue
        if supported "$version" && ! has_ast_bug "$version"; then
            BASE_PYTHON=$candidate
            why="the first of python3, python3.12, python3.11, python3.10 without CPython's bug gh-106905"
            return
        fi
    done
    BASE_PYTHON=python3
    why="none of python3, python3.12, python3.11, python3.10 is without CPython's bug gh-106905"
}

step "Choosing the Python the .venv is made from"
choose_python
if ! command -v "$BASE_PYTHON" >/dev/null 2>&1; then
    echo "ERROR: $BASE_PYTHON not found; install Python 3.10-3.12 or set BASE_PYTHON=/path/to/python3.12." >&2
    exit 2
fi
pyfull=$(version_of "$BASE_PYTHON")
pyver=${pyfull%.*}
if ! supported "$pyfull"; then
    echo "ERROR: Odoo 18.0 needs Python 3.10-3.12 and $BASE_PYTHON is $pyfull; set BASE_PYTHON=python3.12 (for example)." >&2
    exit 2
fi
where=$(command -v "$BASE_PYTHON")
if [ "$where" = "$BASE_PYTHON" ]; then
    echo "    $BASE_PYTHON (Python $pyfull): $why"
else
    echo "    $BASE_PYTHON ($where, Python $pyfull): $why"
fi
if has_ast_bug "$pyfull"; then
    echo "    note: Python $pyfull has CPython's bug gh-106905 (threads parsing Python at once," \
        "fixed in 3.11.8); the add-on reads Odoo's manifests at start, so that its" \
        "HTTP threads need not. BASE_PYTHON=python3.12 (for example) avoids it."
fi

step "Checking the system packages"
missing=()
src_is_git=
if [[ $ODOO_SRC == *://* || $ODOO_SRC == git@* || -e $ODOO_SRC/.git ]]; then
    src_is_git=1
fi
[ -n "$src_is_git" ] && ! command -v git >/dev/null 2>&1 && missing+=(git)
if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1 &&
    ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
    missing+=(postgresql)
fi
# python-ldap is built from source: a compiler, Python's headers and these.
[ -e /usr/include/ldap.h ] || missing+=(libldap2-dev)
[ -e /usr/include/sasl/sasl.h ] || missing+=(libsasl2-dev)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
"$BASE_PYTHON" -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' ||
    missing+=("python$pyver-dev")
"$BASE_PYTHON" -c 'import ensurepip' 2>/dev/null || missing+=("python$pyver-venv")
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "    installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "ERROR: missing system packages; install them, then re-run: sudo apt-get install -y ${missing[*]}" >&2
        exit 2
    fi
else
    echo "    all there"
fi
done_step

step "Getting the Odoo $ODOO_BRANCH source ($ODOO_SRC)"
if [ -z "$src_is_git" ]; then
    src=$(cd "$ODOO_SRC" && pwd)
    echo "    using the directory $src in place"
elif [ -f "$ODOO_CACHE/odoo/release.py" ]; then
    src=$ODOO_CACHE
    echo "    reusing $src (delete it to fetch again)"
else
    src=$ODOO_CACHE
    url=$ODOO_SRC
    branch=(--branch "$ODOO_BRANCH")
    if [ -e "$ODOO_SRC/.git" ]; then
        # a local checkout: its current commit; file:// so that --depth applies
        url=file://$(cd "$ODOO_SRC" && pwd)
        branch=()
    fi
    mkdir -p "$(dirname "$src")"
    rm -rf "$src.partial"
    echo "    shallow clone into $src"
    git clone --quiet --depth 1 "${branch[@]}" "$url" "$src.partial"
    mv "$src.partial" "$src"
fi
if ! grep -Eq "^version_info = \(18, 0," "$src/odoo/release.py" 2>/dev/null; then
    echo "ERROR: $src is not an Odoo 18.0 source tree (no odoo/release.py with version 18.0)." >&2
    exit 2
fi
done_step

pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
step "Making the virtual environment $venv"
[ -x "$venv/bin/python" ] || "$BASE_PYTHON" -m venv "$venv"
done_step

step "Installing Odoo's Python dependencies (requirements-odoo.txt; python-ldap is compiled)"
"${pip[@]}" install --progress-bar off -r "$here/requirements-odoo.txt"
done_step

step "Installing Odoo itself (pip install --no-deps -e $src)"
"${pip[@]}" install --progress-bar off --no-deps -e "$src"
done_step

step "Installing the test dependencies (requirements-test.txt)"
"${pip[@]}" install --progress-bar off -r "$here/requirements-test.txt"
done_step

"$here/tools/require_odoo.sh"
echo "Odoo 18.0 set up in $venv in $((SECONDS - started)) s."
