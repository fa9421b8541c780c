#!/usr/bin/python3
"""The English corpus: clean natural-language text from Debian packages, one JSON document per line.

    english.py build DEB_DIR OUT_DIR   read the .deb files named in SOURCES from DEB_DIR, write
                                       OUT_DIR/english.jsonl and OUT_DIR/SOURCES.tsv
    english.py packages                the cleaning rules' version and the packages, for scripts/corpus.sh
    english.py clean FORMAT FILE       print one file cleaned (FORMAT: html, rst, pod, osis, text),
                                       paragraphs separated by blank lines; the tests use it

Standard library only (/usr/bin/python3), so the set-up installs nothing for it. The .deb files are
read in place (ar archive, then the data tarball), so nothing is unpacked to disk, and every file is
visited in sorted path order: the output depends only on the package files.

Cleaning rules (RULES_VERSION; raise it whenever a rule changes, so that built corpora are rebuilt):
  every format  text is split into paragraphs; inside a paragraph every run of whitespace becomes one
                space (hard-wrapped lines are joined); a paragraph is kept only when it has at least
                3 words, at least 70% of its characters are letters or spaces (this drops tables,
                command lines, code, lists of numbers) and at least 90% are ASCII (this drops the
                passages in other languages that manuals quote); control characters are removed.
  html          every block element (p, div, li, dd, dt, h1-h6, blockquote, td, ...) ends a paragraph;
                head, pre, script, style and the DocBook navigation, TOC, index and program-listing
                elements are dropped with their text. Table cells are kept as paragraphs (some books
                lay out their pages in tables) and the prose rule drops the numeric ones.
  rst           directive lines (".. name::") and their options are dropped, and so is the whole
                body of code-like directives (code-block, literalinclude, productionlist, toctree, ...);
                literal blocks after "::" are dropped (the "::" becomes ":"); section underlines,
                comments, tables, doctest lines (">>>", "...") are dropped; inline roles, ``literals``,
                *emphasis*, **strong** and `links <url>`_ keep only their text (:pep:`8` gives
                "PEP 8", as Sphinx shows it; likewise :rfc:, :issue:, :gh:).
  pod           commands (=over, =back, =begin..=end, =for) are dropped, and so is the Perl source from
                =cut to the next command; =headN and =item keep
                their text; verbatim (indented) paragraphs are code and dropped; formatting codes keep
                their text (L<text|target> gives text, E<lt> gives <).
  osis          footnotes (<note>) and headings (<title>) are dropped; paragraph, chapter and
                line-group markers end a paragraph, a line marker is a space; other tags are removed.
  text          paragraphs are separated by blank lines (the novels).

Documents: each source file (a chapter, a manual page, a Bible book) is cut at paragraph boundaries into
documents of at least DOC_CHARS characters (the file's last document may be shorter), so the tokenizer's
by-document validation split holds out whole passages rather than single paragraphs. Each document is
its paragraphs joined by blank lines, followed by one blank line, so concatenated documents read as text.
"""
import glob
import gzip
import hashlib
import html
import html.parser
import io
import json
import lzma
import os
import re
import struct
import sys
import tarfile
import zlib

RULES_VERSION = 2
DOC_CHARS = 16_000

# package, licence of what we take, and the files: (path regex inside the package, format).
# Order: the novels first, then the long prose, then the manuals.
SOURCES = [
    ("r-cran-janeaustenr", "text: public domain (Austen, 1811-1818; Project Gutenberg transcription); package: MIT",
     [(r"^\./usr/lib/R/site-library/janeaustenr/data/Rdata\.rd[bx]$", "rdata")]),
    ("sword-text-web", "text: public domain (World English Bible); packaging: GPL-2+",
     [(r"^\./usr/share/sword/modules/texts/ztext/engWEB2015eb/[on]t\.bz[szv]$", "sword")]),
    ("cfi-en", "public domain (Copyright Does Not Exist, Linus Walleij; per the package's copyright file)",
     [(r"^\./usr/share/doc/cfi-en/html/.*\.html?$", "html")]),
    ("debian-handbook", "GPL-2+ or CC-BY-SA-3.0 (The Debian Administrator's Handbook)",
     [(r"^\./usr/share/doc/debian-handbook/html/en-US/[^/]*\.html$", "html")]),
    ("debian-reference-en", "GPL-2+ (Debian Reference, Osamu Aoki)",
     [(r"^\./usr/share/debian-reference/[^/]*\.en\.html$", "html")]),
    ("postgresql-doc-15", "PostgreSQL licence (BSD-like)",
     [(r"^\./usr/share/doc/postgresql-doc-15/html/[^/]*\.html$", "html")]),
    ("python3.11-doc", "PSF-2.0 (Python documentation)",
     [(r"^\./usr/share/doc/python3\.11/html/_sources/.*\.rst\.txt$", "rst")]),
    # the perl5NNNdelta change logs of past releases are lists of module versions, not prose
    ("perl-doc", "GPL-1+ or Artistic (Perl documentation)",
     [(r"^\./usr/share/perl/[0-9.]+/pod/(?!perl5[0-9]+delta)[^/]*\.pod$", "pod")]),
]

AUSTEN_BOOKS = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion"]


def fail(message):
    """Bad input: one line on stderr and exit code 2, like every proxylaw command."""
    print(message, file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------- reading .deb files without dpkg

def ar_members(path):
    """The members of a .deb (an ar archive: debian-binary, control.tar.*, data.tar.*), name to bytes."""
    with open(path, "rb") as f:
        blob = f.read()
    if blob[:8] != b"!<arch>\n":
        fail(f"error: {path} is not a Debian package (no ar header). Delete it and run again.")
    members, p = {}, 8
    while p + 60 <= len(blob):
        name = blob[p:p + 16].decode().strip().rstrip("/")
        size = int(blob[p + 48:p + 58].decode().strip())
        members[name] = blob[p + 60:p + 60 + size]
        p += 60 + size + (size & 1)   # members are 2-byte aligned
    return members


def tar_files(path, members, prefix):
    """Regular files of the member named prefix.tar.{xz,gz} as ./path to bytes. Debian's archive uses xz;
    zstd, which this Python's standard library cannot read, would be reported."""
    for name, body in members.items():
        if name.startswith(prefix + ".tar"):
            if name.endswith(".xz"):
                body = lzma.decompress(body)
            elif name.endswith(".gz"):
                body = gzip.decompress(body)
            elif not name.endswith(".tar"):
                fail(f"error: {path}: {name} is compressed in a format the standard library cannot read.")
            with tarfile.open(fileobj=io.BytesIO(body)) as t:
                return {("./" + m.name.removeprefix("./")): t.extractfile(m).read()
                        for m in t.getmembers() if m.isfile()}
    fail(f"error: {path} has no {prefix}.tar member. Delete it and run again.")


def deb_contents(path):
    """(Package, Version, [(path, bytes)] of the data files in sorted path order) of a .deb."""
    members = ar_members(path)
    control = tar_files(path, members, "control")["./control"].decode()
    fields = dict(re.findall(r"^(Package|Version): (.*)$", control, re.M))
    data = tar_files(path, members, "data")
    return fields["Package"], fields["Version"], [(k, data[k]) for k in sorted(data)]


# ---------------------------------------------------------------- paragraphs and documents

WS = re.compile(r"\s+")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def normalise(par):
    return WS.sub(" ", CONTROL.sub("", par)).strip()


def prose(par):
    """Keeps English natural-language paragraphs: 3+ words, 70%+ letters or spaces, 90%+ ASCII."""
    if len(par.split(" ")) < 3:
        return False
    good = sum(1 for c in par if c.isalpha() or c == " ")
    ascii_ = sum(1 for c in par if c < "\x80")
    return good >= 0.7 * len(par) and ascii_ >= 0.9 * len(par)


def finish(paragraphs):
    out = []
    for p in paragraphs:
        p = normalise(p)
        if p and prose(p):
            out.append(p)
    return out


def documents(paragraphs):
    """Groups a file's paragraphs into documents of at least DOC_CHARS characters."""
    docs, cur, n = [], [], 0
    for p in paragraphs:
        cur.append(p)
        n += len(p) + 2
        if n >= DOC_CHARS:
            docs.append("\n\n".join(cur) + "\n\n")
            cur, n = [], 0
    if cur:
        docs.append("\n\n".join(cur) + "\n\n")
    return docs


# ---------------------------------------------------------------- text (the novels)

def clean_text(text):
    return finish(re.split(r"\n[ \t]*\n", text))


def austen_books(rdx, rdb):
    """The six novels from janeaustenr's R lazy-load database (see the test corpus' extract_persuasion.py)."""
    idx = gzip.decompress(rdx)
    names = re.findall(rb"\x00\x04\x00\x09\x00\x00\x00.([a-z]+)", idx, re.S)
    pairs = re.findall(rb"\x00\x00\x00\x0d\x00\x00\x00\x02(.{8})", idx, re.S)
    where = {n.decode(): struct.unpack(">ii", p) for n, p in zip(names[1:], pairs)}
    for book in AUSTEN_BOOKS:
        off, ln = where[book]
        d = zlib.decompress(rdb[off:off + ln][4:])
        p = 2 + 12
        p += 4 + struct.unpack(">I", d[p:p + 4])[0]
        if struct.unpack(">I", d[p:p + 4])[0] & 0xFF != 16:
            fail(f"error: janeaustenr object {book} is not a character vector; the package format changed.")
        count = struct.unpack(">I", d[p + 4:p + 8])[0]
        p += 8
        lines = []
        for _ in range(count):
            _, n = struct.unpack(">Ii", d[p:p + 8])
            p += 8
            lines.append("" if n == -1 else d[p:p + n].decode("utf-8"))
            p += max(n, 0)
        yield book, "\n".join(lines) + "\n"


# ---------------------------------------------------------------- OSIS (the SWORD Bible)

def clean_osis(text):
    text = re.sub(r"<note\b[^>]*>.*?</note>", " ", text, flags=re.S)
    text = re.sub(r"<title\b[^>]*>.*?</title>", "\n\n", text, flags=re.S)
    text = re.sub(r"<(div|lg|chapter)\b[^>]*/>", "\n\n", text)
    text = re.sub(r"<(l|lb)\b[^>]*/>", " ", text)   # a poem's lines run on within its paragraph
    text = re.sub(r"<[^>]+>", "", text)
    return finish(re.split(r"\n\s*\n", html.unescape(text)))


def sword_books(files, testament):
    """The books of one testament of a SWORD zText module: .bzs lists (offset, size, uncompressed size)
    of each zlib block in .bzz, one block per book (BlockType=BOOK)."""
    bzs, bzz = files[testament + ".bzs"], files[testament + ".bzz"]
    for i in range(len(bzs) // 12):
        off, size, usize = struct.unpack("<III", bzs[i * 12:i * 12 + 12])
        block = zlib.decompress(bzz[off:off + size])
        if len(block) != usize:
            fail(f"error: SWORD block {testament}.{i} decompressed to {len(block)} bytes, not {usize}.")
        yield f"{testament}.{i:03d}", block.decode("utf-8")


# ---------------------------------------------------------------- HTML

class _Html(html.parser.HTMLParser):
    BLOCK = {"p", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div", "title", "br",
             "ul", "ol", "dl", "section", "body", "td", "th", "tr", "caption", "figure"}
    SKIP = {"pre", "script", "style", "head", "nav", "svg", "map", "object"}
    SKIP_CLASS = re.compile(r"\b(navheader|navfooter|toc|list-of-[a-z]+|docnav|programlisting|screen|synopsis|"
                            r"cmdsynopsis|funcsynopsis|literallayout|indexterm|index)\b")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pars, self.cur, self.stack = [], [], []

    def _flush(self):
        if self.cur:
            self.pars.append("".join(self.cur))
            self.cur = []

    def _skipping(self):
        return any(s for _, s in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr"):
            if tag in ("br", "hr"):
                self.cur.append(" ")
            return
        cls = dict(attrs).get("class") or ""
        skip = tag in self.SKIP or bool(self.SKIP_CLASS.search(cls))
        if tag in self.BLOCK:
            self._flush()
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        if not any(t == tag for t, _ in self.stack):
            return   # a stray end tag
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        if tag in self.BLOCK or tag in self.SKIP:
            self._flush()

    def handle_data(self, data):
        if not self._skipping():
            self.cur.append(data)


def clean_html(text):
    p = _Html()
    p.feed(text)
    p.close()
    p._flush()
    return finish(p.pars)


# ---------------------------------------------------------------- reST (Sphinx sources)

CODE_DIRECTIVES = {"code-block", "sourcecode", "code", "literalinclude", "doctest", "testcode", "testoutput",
                   "testsetup", "testcleanup", "productionlist", "toctree", "image", "figure", "csv-table",
                   "list-table", "table", "raw", "include", "highlight", "index", "autosummary", "math",
                   "graphviz", "only", "tabularcolumns", "sectionauthor", "moduleauthor", "opcode", "cmdoption",
                   "option", "envvar", "availability", "impl-detail", "audit-event", "audit-event-table",
                   "limited-api-list", "pdb-command", "2to3fixer", "grammar-snippet", "productionlist"}
UNDERLINE = re.compile(r"^([=\-~^*#\"'`+:._])\1{2,}\s*$")
ROLE = re.compile(r":[a-zA-Z0-9_:+-]+:`~?!?([^`<]*?)(?:\s*<[^`>]*>)?`")
LINK = re.compile(r"`([^`<]+?)\s*<[^`>]*>`__?")
REF = re.compile(r"`([^`]+)`__?")


NUMBERED = {"pep": "PEP ", "rfc": "RFC ", "issue": "bpo-", "gh": "gh-"}


def rst_inline(s):
    # the roles that Sphinx renders with a prefix: :pep:`8` reads "PEP 8"
    s = re.sub(r":(pep|rfc|issue|gh):`(\d+)[^`]*`", lambda m: NUMBERED[m.group(1)] + m.group(2), s)
    s = ROLE.sub(r"\1", s)
    s = LINK.sub(r"\1", s)
    s = re.sub(r"``([^`]+)``", r"\1", s)
    s = REF.sub(r"\1", s)
    s = re.sub(r"`([^`]+)`", r"\1", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"\1", s)
    s = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\1", s)
    s = re.sub(r"\|([\w -]+)\|", r"\1", s)
    s = re.sub(r"\s?\[#?[\w-]*\]_", "", s)
    return s


def indent(line):
    return len(line) - len(line.lstrip(" "))


def clean_rst(text):
    lines = text.expandtabs(8).split("\n")
    keep = []          # cleaned lines, "" between paragraphs
    skip_below = None  # drop every line indented deeper than this (a code block's body)
    literal_next = False
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        ind = indent(line)
        if skip_below is not None:
            if not line or ind > skip_below:
                i += 1
                continue
            skip_below = None
        if not line:
            keep.append("")
            i += 1
            continue
        if literal_next and ind > literal_base:
            skip_below = literal_base
            literal_next = False
            continue
        literal_next = False
        s = line.strip()
        m = re.match(r"^\.\.\s+([\w:-]+)::(.*)$", s)
        if m:
            name = m.group(1).split(":")[-1]
            keep.append("")
            while line.endswith("\\") and i + 1 < len(lines):   # a signature continued over lines
                i += 1
                line = lines[i].rstrip()
            if name in CODE_DIRECTIVES:
                skip_below = ind
            else:
                # the directive's options (":key: value" lines right below) are dropped; its body is prose
                j = i + 1
                while j < len(lines) and lines[j].strip().startswith(":") and indent(lines[j]) > ind:
                    j += 1
                i = j
                continue
            i += 1
            continue
        if s.startswith(".. ") or s == "..":
            skip_below = ind   # a comment, target or substitution definition and its continuation
            i += 1
            continue
        if UNDERLINE.match(s) or s.startswith(("+-", "+=", "| ", ">>>", "... ")) or re.match(r"^=+( +=+)+$", s):
            keep.append("")
            i += 1
            continue
        if s.endswith("::"):
            literal_next, literal_base = True, ind
            s = s[:-2].rstrip()
            s = s + ":" if s and not s.endswith(":") else s
        keep.append(s)
        i += 1
    # inline markup is resolved per paragraph: a role or link may be wrapped over two lines
    return finish(rst_inline(normalise(p)) for p in "\n".join(keep).split("\n\n"))


# ---------------------------------------------------------------- POD

def pod_codes(s):
    for _ in range(8):   # nested codes: innermost first
        s2 = re.sub(r"[A-Z]<<+\s+(.*?)\s+>>+", lambda m: pod_one(m.group(0)[0], m.group(1)), s, flags=re.S)
        s2 = re.sub(r"([A-Z])<([^<>]*)>", lambda m: pod_one(m.group(1), m.group(2)), s2)
        if s2 == s:
            break
        s = s2
    return s


def pod_one(code, inner):
    if code == "L":
        if "|" in inner:
            return inner.split("|", 1)[0]
        if "/" in inner and "://" not in inner:   # L<perlfunc/open> reads as perldoc shows it
            name, section = inner.split("/", 1)
            return f'"{section.strip(chr(34))}" in {name}' if name else section.strip('"')
        return inner
    if code == "E":
        return {"lt": "<", "gt": ">", "verbar": "|", "sol": "/"}.get(inner, html.unescape("&" + inner + ";"))
    if code in ("X", "Z"):
        return ""
    return inner


def clean_pod(text):
    pars, skipping, code = [], None, False
    for block in re.split(r"\n[ \t]*\n", text.replace("\r", "")):
        if not block.strip():
            continue
        if code and not block.startswith("="):
            continue   # Perl source after =cut, until the next command
        code = block.startswith("=cut")
        if skipping:
            if re.match(r"^=end\s+" + re.escape(skipping), block):
                skipping = None
            continue
        if block.startswith("="):
            m = re.match(r"^=(\w+)\s*(.*)$", block, re.S)
            cmd, rest = m.group(1), m.group(2)
            if cmd == "begin":
                skipping = rest.split()[0] if rest.split() else ""
            elif cmd in ("head1", "head2", "head3", "head4", "item"):
                rest = re.sub(r"^[*]\s*$", "", rest.strip())
                rest = re.sub(r"^\d+\.?\s*", "", rest) if cmd == "item" else rest
                if rest:
                    pars.append(pod_codes(rest))
            continue
        if block[0] in " \t":
            continue   # verbatim: code
        pars.append(pod_codes(block))
    return finish(pars)


# ---------------------------------------------------------------- build

CLEANERS = {"html": clean_html, "rst": clean_rst, "pod": clean_pod, "osis": clean_osis, "text": clean_text}


def units(package, files, spec):
    """(unit name, paragraphs) for every file a source takes, in sorted order."""
    for regex, fmt in spec:
        chosen = {p: b for p, b in files if re.search(regex, p)}
        if not chosen:
            fail(f"error: package {package} has no file matching {regex}; its layout changed. "
                             f"Update SOURCES in scripts/corpus/english.py.")
        if fmt == "rdata":
            by = {p.rsplit(".", 1)[1]: b for p, b in chosen.items()}
            for book, text in austen_books(by["rdx"], by["rdb"]):
                yield book, clean_text(text), chosen
        elif fmt == "sword":
            by = {p.rsplit("/", 1)[1]: b for p, b in chosen.items()}
            for t in ("ot", "nt"):
                for name, text in sword_books(by, t):
                    yield name, clean_osis(text), chosen
        else:
            for path in sorted(chosen):
                text = chosen[path].decode("utf-8", errors="replace")
                yield path, CLEANERS[fmt](text), {path: chosen[path]}


def write_documents(deb_dir, out):
    """Writes every source's documents to out; returns one SOURCES.tsv row per package."""
    rows = []
    for package, licence, spec in SOURCES:
        debs = sorted(glob.glob(os.path.join(deb_dir, package + "_*.deb")))
        if len(debs) != 1:
            fail(f"error: expected one {package}_*.deb in {deb_dir}, found {len(debs)}. "
                 f"Run scripts/corpus.sh, which downloads them.")
        name, version, files = deb_contents(debs[0])
        if name != package:
            fail(f"error: {debs[0]} holds package {name}, not {package}. Delete it and run again.")
        used, n_docs, n_bytes, n_units = {}, 0, 0, 0
        for unit, paragraphs, inputs in units(package, files, spec):
            used.update(inputs)
            n_units += 1
            for k, doc in enumerate(documents(paragraphs)):
                out.write(json.dumps({"source": package, "unit": unit, "part": k, "text": doc},
                                     ensure_ascii=False, sort_keys=True) + "\n")
                n_docs += 1
                n_bytes += len(doc.encode("utf-8"))
        # one hash over the input files actually read (path and content), beside the .deb's own hash
        digest = hashlib.sha256()
        for path in sorted(used):
            digest.update(path.encode() + b"\0" + hashlib.sha256(used[path]).digest())
        with open(debs[0], "rb") as f:
            deb_sha = hashlib.sha256(f.read()).hexdigest()
        rows.append((package, version, licence, os.path.basename(debs[0]), deb_sha, len(used),
                     digest.hexdigest(), n_units, n_docs, n_bytes))
        print(f"  {package:<20} {version:<24} {len(used):>5} files {n_units:>5} units {n_docs:>6} documents "
              f"{n_bytes:>12,} bytes", file=sys.stderr)
    return rows


def build(deb_dir, out_dir):
    tmp = os.path.join(out_dir, "english.jsonl.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            rows = write_documents(deb_dir, out)
    except BaseException:
        os.remove(tmp)   # a failed build leaves no partial corpus
        raise
    os.replace(tmp, os.path.join(out_dir, "english.jsonl"))
    with open(os.path.join(out_dir, "SOURCES.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# rules_version={RULES_VERSION} doc_chars={DOC_CHARS} (scripts/corpus/english.py)\n")
        f.write("package\tversion\tlicence\tdeb\tdeb_sha256\tinput_files\tinputs_sha256\tunits\tdocuments\tbytes\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\n")
    print(f"  {'total':<20} {'':<24} {'':>5}       {'':>5}       {sum(r[8] for r in rows):>6} documents "
          f"{sum(r[9] for r in rows):>12,} bytes", file=sys.stderr)


def main(argv):
    if len(argv) == 4 and argv[1] == "build":
        build(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "clean" and argv[2] in CLEANERS:
        with open(argv[3], encoding="utf-8") as f:
            sys.stdout.write("\n\n".join(CLEANERS[argv[2]](f.read())) + "\n")
    elif len(argv) == 2 and argv[1] == "packages":
        print(f"rules={RULES_VERSION}", *(package for package, _, _ in SOURCES))
    else:
        print("error: usage: english.py build DEB_DIR OUT_DIR | clean {html,rst,pod,osis,text} FILE | packages",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
