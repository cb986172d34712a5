"""runner/adapters/lib/mtakit.py -- what the delivering MTA adapters share
(postfix, exim, opensmtpd; runner/ADAPTERS.md).

A case file is untrusted input (cases/FORMAT.md).  The runner hands over
only validated names, but whatever reaches an MTA's configuration must be
plain: Exim expands `$`, `\\` and `${...}` in domain lists, Postfix's maps
split on blanks and commas, smtpd.conf has its own quoting.  A line that is
not plain is refused (no result line: the runner makes that case an ERROR)
and never reaches the MTA.
"""
import json
import os
import re
import sys

PLAIN_LOCAL = re.compile(r'[A-Za-z0-9][A-Za-z0-9._+=-]{0,63}\Z')
PLAIN_DOMAIN = re.compile(r'(?:[^\W_]|[-_])+(?:\.(?:[^\W_]|[-_])+)*\Z')
PLAIN_LITERAL = re.compile(r'\[(?:IPv6:)?[0-9A-Fa-f:.]+\]\Z')


def plain_host(s):
    return len(s) <= 253 and s.isprintable() and bool(PLAIN_DOMAIN.match(s))


def plain_hostport(s):
    host, _, port = s.rpartition(':')
    return plain_host(host) and port.isdigit() and 0 < int(port) < 65536


def plain_address(a, literal_ok):
    local, at, dom = a.partition('@')
    return bool(at) and bool(PLAIN_LOCAL.match(local)) and (
        plain_host(dom) or (literal_ok and bool(PLAIN_LITERAL.match(dom))))


def own_name(c, host):
    """Is host the case's apex or below it?  (No case may name another's.)"""
    apex = str(c.get('case', '')) + '.test'
    return host.lower() == apex or host.lower().endswith('.' + apex)


def rcpts_of(c):
    """The line's recipients: "a@x,b@y" carries several (ADAPTERS.md)."""
    return c.get('rcpt', '').split(',')


def domain_of(rcpt):
    return rcpt.rsplit('@', 1)[1]


def refused(c):
    """Why line c may not reach the MTA, or None."""
    if len(rcpts_of(c)) > 8:
        return 'more than 8 recipients'
    for rcpt in rcpts_of(c):
        dom = rcpt.partition('@')[2]
        if not dom.startswith('[') and not own_name(c, dom):
            return 'recipient domain %r is outside the case apex' % dom
        if not plain_address(rcpt, True):
            return 'recipient %r is not a plain address' % rcpt
    for host in [c.get('relay', '')] + [kv[9:] for kv in c.get('options', '').split()
                                         if kv.startswith('fallback=')]:
        if host and not own_name(c, host.rpartition(':')[0]):
            return 'next hop %r is outside the case apex' % host
    if not plain_address(c.get('from', ''), False):
        return 'sender %r is not a plain address' % c.get('from')
    if c.get('policy') not in ('dane', 'dane-only', 'encrypt', 'may'):
        return 'unknown policy %r' % c.get('policy')
    if c.get('relay') and not plain_hostport(c['relay']):
        return 'relay %r is not a plain NAME:PORT' % c['relay']
    for kv in c.get('options', '').split():
        k, _, v = kv.partition('=')
        ok = {'fallback': plain_hostport, 'self': lambda x: bool(re.match(r'[0-9a-fA-F:.]+\Z', x)),
              'digests': lambda x: bool(re.match(r'[a-z0-9,]+\Z', x)),
              'dane-ta': lambda x: x in ('on', 'off'),
              'audit': lambda x: x in ('on', 'off')}.get(k)
        if ok is None or not ok(v):
            return 'client option %r is not plain' % kv
    return None


def plain_lines(lines):
    """The lines that may reach the MTA; each refused one is said on stderr."""
    out = []
    for c in lines:
        why = refused(c)
        if why:
            print(f"{c.get('case')}: refused by the adapter: {why}", file=sys.stderr)
        else:
            out.append(c)
    return out


def line_from_env():
    """The `send` verb's message as a batch line: one message is a batch of one."""
    e = os.environ
    return {'case': e['DANELAB_CASE'], 'rcpt': e['DANELAB_RCPT'],
            'from': e['DANELAB_FROM'], 'policy': e['DANELAB_POLICY'],
            'relay': e.get('DANELAB_RELAY', ''), 'options': e.get('DANELAB_OPTIONS', ''),
            'round': int(e.get('DANELAB_ROUND', '1')), 'retry': e.get('DANELAB_RETRY') == '1',
            'message': e['DANELAB_MESSAGE'], 'case_dir': e.get('DANELAB_CASE_DIR', '.')}


def write_one(path):
    """Write the `send` verb's message as a one-line batch file at path."""
    with open(path, 'w') as f:
        f.write(json.dumps(line_from_env()) + '\n')
    return path


def message_id(path):
    """The Message-ID of the RFC 5322 message at path (without <>), or None."""
    with open(path, 'rb') as f:
        m = re.search(rb'^Message-ID:\s*<([^>]+)>', f.read(), re.M | re.I)
    return m.group(1).decode() if m else None


def parents(path):
    """Every folder from / down to the one holding path."""
    d, out = os.path.dirname(os.path.abspath(path)), []
    while True:
        out.append(d)
        if d == '/':
            return out[::-1]
        d = os.path.dirname(d)


def searchable(d, pw):
    """Can the account pw enter folder d?"""
    import grp
    st = os.stat(d)
    if st.st_uid == pw.pw_uid:
        return bool(st.st_mode & 0o100)
    groups = {pw.pw_gid} | {g.gr_gid for g in grp.getgrall() if pw.pw_name in g.gr_mem}
    if st.st_gid in groups:
        return bool(st.st_mode & 0o010)
    return bool(st.st_mode & 0o001)


def tls_library(binaries):
    """The OpenSSL the first of binaries loads, as it names itself (ctypes:
    the library's own OpenSSL_version, not the one of the python running us)."""
    import ctypes
    import subprocess
    for b in binaries:
        r = subprocess.run(['ldd', b], capture_output=True, text=True)
        m = re.search(r'libssl\.so\S*\s+=>\s+(\S+)', r.stdout)
        if not m:
            continue
        try:
            lib = ctypes.CDLL(m.group(1).replace('libssl', 'libcrypto'))
            lib.OpenSSL_version.restype = ctypes.c_char_p
            return lib.OpenSSL_version(0).decode()
        except (OSError, AttributeError):
            return os.path.basename(m.group(1))
    return None
