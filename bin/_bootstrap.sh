# shellcheck shell=bash
# bin/_bootstrap.sh: shared setup for bin/start, bin/test and .ci/run. Not run on its own: source it,
# then call `bootstrap PROFILE`:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/_bootstrap.sh"
#   bootstrap app     # to run the app:  system libraries, venv, `pip install -e .`
#   bootstrap test    # to test it:      the same + chromium, poppler-utils, `pip install -e '.[test]'`
#
# Sourcing turns on `set -euo pipefail` and changes into the repository root, so the scripts work
# from any directory. After `bootstrap` returns, these are set and exported:
#   REPO_ROOT     absolute path of the repository (also the current directory)
#   PY            the interpreter (Python >= 3.12) the virtualenv is built from; PY_VERSION its version
#   VENV          absolute path of the virtualenv (${VENV:-.venv} in the repository root)
#   VENV_PYTHON   $VENV/bin/python
#   VIRTUAL_ENV   = $VENV, and $VENV/bin is first on PATH: plain `python`, `pip`, `ruff`, `pytest`
#                 are the virtualenv's from then on.
# The steps can also be called one by one: bootstrap_find_python, bootstrap_system_packages PROFILE,
# bootstrap_venv, bootstrap_install PROFILE; and bs_log / bs_warn / bs_die print `==> ` messages.
#
# Settings (environment):
#   PYTHON=/path/to/python3.x   use this interpreter (must be >= 3.12); the venv is rebuilt if it
#                               was made with another one
#   VENV=dir                    where the virtualenv lives (default .venv)
#   SKIP_SYSTEM_PACKAGES=1      do not check or install Debian packages
#
# System packages: the app profile installs only what the running app needs (WeasyPrint's Pango
# stack and fonts, libmagic for file-type sniffing); the test profile adds Debian's chromium (for
# the Playwright browser tests; no browser is ever downloaded: `playwright install` is never run),
# poppler-utils (PDF checks) and nginx (the production test, tests/test_production.py). Keeping
# chromium out of bin/start spares someone who only wants to try the app a ~300 MB install; the
# lists are one definition each, below.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
export REPO_ROOT
cd "$REPO_ROOT"

_BS_MIN_PY=(3 12)
# shellcheck disable=SC2016 # the backquotes are meant literally
_BS_NEED_PY='Python 3.12 or newer is needed: install it (e.g. `apt-get install python3.12` or `pyenv install 3.12`) or point PYTHON at one'
_BS_PKGS_APP=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo libopenjp2-7 libffi8
    fonts-dejavu-core libmagic1)
_BS_PKGS_TEST=(chromium poppler-utils nginx)

bs_log() { printf '==> %s\n' "$*" >&2; }
bs_warn() { printf '==> WARNING: %s\n' "$*" >&2; }
bs_die() {
    printf '==> ERROR: %s\n' "$*" >&2
    exit 1
}

# _bs_py_check INTERPRETER: prints the interpreter's version (X.Y.Z) if it runs. Status 0 if it is
# new enough, 1 if it runs but is too old, 2 if it does not run at all (a missing file, or a pyenv
# shim for a version that is not selected, which fails with "command not found").
_bs_py_check() {
    local out
    if out=$("$1" -c "import sys; print('%d.%d.%d' % sys.version_info[:3]); \
sys.exit(0 if sys.version_info >= (${_BS_MIN_PY[0]}, ${_BS_MIN_PY[1]}) else 1)" 2>/dev/null); then
        printf '%s\n' "$out"
        return 0
    fi
    if [[ -n $out ]]; then
        printf '%s\n' "$out"
        return 1
    fi
    return 2
}

# _bs_py_id INTERPRETER: what tells two interpreters apart (a venv's python gives its base's).
_bs_py_id() {
    "$1" -c 'import sys; print(sys.base_prefix, sys.version)' 2>/dev/null || true
}

# The candidates tried when PYTHON is not set, in order, one path a line.
_bs_python_candidates() {
    local name path root=""
    for name in python3.14 python3.13 python3.12 python3; do
        if path=$(command -v "$name" 2>/dev/null); then
            printf '%s\n' "$path"
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        root=$(pyenv root 2>/dev/null) || root=""
    fi
    if [[ -z $root && -d ${PYENV_ROOT:-$HOME/.pyenv}/versions ]]; then
        root=${PYENV_ROOT:-$HOME/.pyenv}
    fi
    if [[ -n $root ]]; then
        # newest first; free-threaded builds (3.13.0t) are left out: many wheels lack them
        for path in "$root"/versions/3.1[2-9]*; do
            [[ $path == *t ]] || printf '%s\n' "$path/bin/python3"
        done | sort -r -V
    fi
    for root in /usr/local/bin /usr/bin; do
        printf '%s\n' "$root"/python3.1[2-9] | sort -r -V
    done
}

# bootstrap_find_python: sets PY and PY_VERSION. PYTHON if set (and fails if it is unusable); else
# the base interpreter of an existing, working virtualenv (so a venv is not rebuilt just because
# another Python >= 3.12 turned up on PATH); else the first candidate that runs and is >= 3.12.
bootstrap_find_python() {
    local cand version status venv_python=${VENV:-.venv}/bin/python
    if [[ -n ${PYTHON:-} ]]; then
        cand=$(command -v -- "$PYTHON" 2>/dev/null) || bs_die "PYTHON=$PYTHON: not found. $_BS_NEED_PY"
        if version=$(_bs_py_check "$cand"); then
            PY=$cand
        else
            status=$?
            if [[ $status -eq 1 ]]; then
                bs_die "PYTHON=$PYTHON is Python $version. $_BS_NEED_PY"
            fi
            bs_die "PYTHON=$PYTHON does not run. $_BS_NEED_PY"
        fi
    elif [[ -f ${VENV:-.venv}/pyvenv.cfg ]] && version=$(_bs_py_check "$venv_python") \
        && cand=$("$venv_python" -c 'import sys; print(sys._base_executable)' 2>/dev/null) \
        && [[ -x $cand ]]; then
        PY=$cand
    else
        PY=""
        while IFS= read -r cand; do
            if [[ -x $cand ]] && version=$(_bs_py_check "$cand"); then
                PY=$cand
                break
            fi
        done < <(_bs_python_candidates)
        [[ -n $PY ]] || bs_die "$_BS_NEED_PY"
    fi
    # the real file, not a pyenv shim that depends on the shell's pyenv version
    PY=$("$PY" -c 'import sys; print(sys.executable)') || bs_die "$PY stopped working"
    PY_VERSION=$version
    export PY PY_VERSION
    bs_log "Python $PY_VERSION: $PY"
}

# _bs_as_root CMD...: run as root (directly, or through sudo without a password, or through sudo
# with one when someone is at the terminal); status 3 if there is no way to.
_bs_as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    elif command -v sudo >/dev/null 2>&1 && [[ -t 0 ]]; then
        sudo "$@"
    else
        return 3
    fi
}

# bootstrap_system_packages PROFILE: installs the missing Debian packages of the profile.
bootstrap_system_packages() {
    local profile=$1 os_id="" pkg status log
    local -a wanted=("${_BS_PKGS_APP[@]}") missing=()
    if [[ $profile == test ]]; then
        wanted+=("${_BS_PKGS_TEST[@]}")
    fi
    if [[ ${SKIP_SYSTEM_PACKAGES:-} == 1 ]]; then
        bs_log "system packages: skipped (SKIP_SYSTEM_PACKAGES=1)"
        return 0
    fi
    if [[ -r /etc/os-release ]]; then
        # shellcheck disable=SC1091
        os_id=$(. /etc/os-release && printf '%s' "${ID:-}")
    fi
    if [[ $os_id != debian ]] || ! command -v dpkg-query >/dev/null 2>&1; then
        bs_warn "not Debian: not checking system packages. Install your system's equivalents of" \
            "${wanted[*]} (set SKIP_SYSTEM_PACKAGES=1 to silence this)"
        return 0
    fi
    # a Debian-packaged interpreter builds venvs only with its -venv package
    if [[ $PY == /usr/bin/python3.* ]]; then
        wanted+=("python${PY_VERSION%.*}-venv")
    fi
    for pkg in "${wanted[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || status=""
        if [[ $status != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1 || ! _bs_as_root true; then
        bs_die "missing system packages; install them as root with:" \
            "apt-get install --no-install-recommends ${missing[*]}" \
            "(or set SKIP_SYSTEM_PACKAGES=1 to go on without them)"
    fi
    bs_log "installing system packages: ${missing[*]}"
    log=$(mktemp)
    if ! _bs_as_root apt-get update -qq >"$log" 2>&1; then
        bs_warn "apt-get update failed; trying to install from the package lists already here"
        cat "$log" >&2
    fi
    if ! _bs_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        bs_die "could not install system packages: ${missing[*]}"
    fi
    rm -f "$log"
}

# bootstrap_venv: sets VENV and VENV_PYTHON; (re)creates the venv with $PY when there is none, or
# when the existing one does not run, is older than 3.12, or was made from another Python than PY.
bootstrap_venv() {
    local reason=""
    VENV=${VENV:-.venv}
    if [[ $VENV != /* ]]; then
        VENV=$REPO_ROOT/$VENV
    fi
    VENV_PYTHON=$VENV/bin/python
    if [[ -e $VENV || -L $VENV ]]; then
        if [[ ! -f $VENV/pyvenv.cfg ]]; then
            bs_die "$VENV exists but is not a virtualenv: move it away, or set VENV to another directory"
        elif ! _bs_py_check "$VENV_PYTHON" >/dev/null; then
            reason="its Python does not run or is older than ${_BS_MIN_PY[0]}.${_BS_MIN_PY[1]}"
        elif [[ "$(_bs_py_id "$VENV_PYTHON")" != "$(_bs_py_id "$PY")" ]]; then
            reason="it was made with another Python than $PY"
        fi
        if [[ -n $reason ]]; then
            bs_log "recreating $VENV: $reason"
            rm -rf -- "$VENV"
        fi
    fi
    if [[ ! -e $VENV ]]; then
        bs_log "creating virtualenv $VENV"
        "$PY" -m venv "$VENV" || bs_die "could not create a virtualenv with $PY" \
            "(a Debian-packaged Python needs python${PY_VERSION%.*}-venv)"
    fi
    VIRTUAL_ENV=$VENV
    PATH=$VENV/bin:$PATH
    unset PYTHONHOME
    export VENV VENV_PYTHON VIRTUAL_ENV PATH
}

# bootstrap_install PROFILE: pip-installs the project (editable) with the profile's extras, unless
# the venv holds a marker saying that this very pyproject.toml was installed already. The test
# profile's install also covers the app profile.
bootstrap_install() {
    local profile=$1 spec hash
    case $profile in
    app) spec=. ;;
    test) spec='.[test]' ;;
    *) bs_die "bootstrap: unknown profile '$profile' (app or test)" ;;
    esac
    hash=$("$VENV_PYTHON" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest()[:16])')
    if [[ -e $VENV/.installed-test-$hash || -e $VENV/.installed-$profile-$hash ]]; then
        bs_log "Python packages: up to date"
        return 0
    fi
    bs_log "installing Python packages: pip install -e '$spec'"
    rm -f -- "$VENV"/.installed-*
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV_PYTHON" -m pip install -q -e "$spec" \
        || bs_die "pip install -e '$spec' failed"
    touch "$VENV/.installed-$profile-$hash"
}

# write_development_env PATH SITE_URL: the `.env` of a development checkout (git-ignored), written once:
# DEBUG on, a secret key of its own (marked development-only-, which production refuses), the site's
# address for links in e-mails. Settings read it; variables set in the environment win.
write_development_env() {
    local path=$1 site_url=$2 key
    if [[ -e $path ]]; then
        return 0
    fi
    key=$("${VENV_PYTHON:-python3}" -c 'import secrets; print("development-only-" + secrets.token_urlsafe(48))')
    (
        umask 077
        cat >"$path" <<ENV
# Written by bin/start for this development checkout; never copy it to a server (README, Configuration).
DEBUG=true
SECRET_KEY=$key
SITE_URL=$site_url
ENV
    )
    bs_log "wrote $path (development settings: DEBUG=true, a development secret key, SITE_URL=$site_url)"
}

# bootstrap PROFILE: all of the above, in order.
bootstrap() {
    local profile=${1:-}
    if [[ $profile != app && $profile != test ]]; then
        bs_die "bootstrap: unknown profile '$profile' (app or test)"
    fi
    bootstrap_find_python
    bootstrap_system_packages "$profile"
    bootstrap_venv
    bootstrap_install "$profile"
}
