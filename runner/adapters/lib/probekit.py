"""runner/adapters/lib/probekit.py -- what the probe adapters share
(posttls-finger, gnutls, ldns-dane; runner/ADAPTERS.md, "Probes").

A probe adapter turns one message (the `send` verb's environment, or one
line of a `send-batch` list) into one probe line:
    {"probe": [{"host", "address", "result", "reason"}...], "stopped": bool}
Lookups go to the lab resolver the runner names (DANELAB_RESOLVER, or the
batch line's "resolver"), never to another address.
"""
import concurrent.futures
import json
import os
import re
import socket
import subprocess
import sys

# Names and addresses that may go on a command line.
PLAIN = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9._:-]*$')


class Refused(Exception):
    """An input the adapter will not put on a command line: no result line."""


class ToolFailed(Exception):
    """The tool (or the lab) failed, not the client: no result line."""


def messages(argv):
    """The verb's messages as dicts (batch lines, or one from the env)."""
    if argv[1] == 'send-batch':
        with open(argv[2]) as f:
            return [json.loads(l) for l in f if l.strip()], True
    e = os.environ
    return [{'case': e.get('DANELAB_CASE', ''), 'rcpt': e['DANELAB_RCPT'],
             'policy': e.get('DANELAB_POLICY', 'dane'), 'relay': e.get('DANELAB_RELAY', ''),
             'options': e.get('DANELAB_OPTIONS', ''), 'resolver': e.get('DANELAB_RESOLVER', ''),
             'case_dir': e.get('DANELAB_CASE_DIR', '.')}], False


def resolver(m):
    r = m.get('resolver') or os.environ.get('DANELAB_RESOLVER') or '127.0.0.1'
    if not PLAIN.match(r):
        raise Refused(f'resolver {r!r}')
    return r


def domain(m):
    """The recipient's domain, checked: a plain name (IDN is not declared)."""
    d = m['rcpt'].rpartition('@')[2]
    if not PLAIN.match(d.strip('[]')):
        raise Refused(f'recipient domain {d!r}')
    return d


def run_all(argv, probe, workers=4):
    """Probe every message; print one line each (with "case" in batch mode).
    probe(m) returns (hosts, stopped, reason) or raises Refused/ToolFailed
    or returns None for "unsupported"."""
    msgs, batch = messages(argv)

    def one(m):
        try:
            r = probe(m)
        except (Refused, ToolFailed) as e:
            sys.stderr.write(f'{m.get("case", "")}: {e}\n')
            return None if batch or not isinstance(e, Refused) else 'refused'
        if r is None:
            return {'disposition': 'unsupported'}
        hosts, stopped, reason = r
        return {'probe': hosts, 'stopped': stopped, 'reason': reason}

    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        results = list(ex.map(one, msgs))
    unsupported_one = False
    for m, r in zip(msgs, results):
        if not isinstance(r, dict):
            continue
        if batch:
            r['case'] = m['case']
        elif r.get('disposition') == 'unsupported':
            unsupported_one = True
            continue
        print(json.dumps(r), flush=True)
    if unsupported_one:
        sys.exit(89)
    if not batch and not isinstance(results[0], dict):
        sys.exit(1)


def drill(server, name, rtype):
    """One query through the lab resolver (drill, DNSSEC OK): (rcode, ad,
    [(owner, type, rdata)...] of the answer section), from drill's output."""
    if not PLAIN.match(name):
        raise Refused(f'name {name!r}')
    r = subprocess.run(['drill', '-D', name, '@' + server, rtype],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    out = r.stdout
    m = re.search(r'rcode: (\w+)', out)
    if r.returncode != 0 or not m:
        raise ToolFailed(f'drill {name} {rtype} @{server}: {(r.stderr or out).strip()[:200]}')
    flags = re.search(r';; flags: ([a-z ]*);', out)
    ad = bool(flags) and ' ad' in ' ' + flags.group(1)
    ans, on = [], False
    for line in out.splitlines():
        if line.startswith(';; ANSWER SECTION'):
            on = True
            continue
        if on and (line.startswith(';;') or not line.strip()):
            if line.startswith(';;'):
                break
            continue
        if on:
            f = line.split(None, 4)
            if len(f) == 5:
                ans.append((f[0].rstrip('.').lower(), f[3], f[4]))
    return m.group(1), ad, ans


def client_log(m, text):
    with open(os.path.join(m.get('case_dir') or '.', 'client.log'), 'a') as f:
        f.write(text)


def ehlo(address, step):
    """What an MTA sees before STARTTLS: (greeting and EHLO accepted,
    STARTTLS offered, the server's words)."""

    try:
        with socket.create_connection((address, 25), timeout=step) as s:
            f = s.makefile('rwb')
            lines = [f.readline().decode(errors='replace').rstrip()]
            while lines[-1][3:4] == '-':
                lines.append(f.readline().decode(errors='replace').rstrip())
            if not lines[-1].startswith('2'):
                return False, False, 'banner: ' + lines[-1]
            f.write(b'EHLO client.danelab.test\r\n')
            f.flush()
            ext = [f.readline().decode(errors='replace').rstrip()]
            while ext[-1][3:4] == '-':
                ext.append(f.readline().decode(errors='replace').rstrip())
            f.write(b'QUIT\r\n')
            f.flush()
            offered = ext[-1].startswith('250') and any(
                l[4:].strip().upper() == 'STARTTLS' for l in ext)
            return ext[-1].startswith('250'), offered, 'EHLO: ' + ' | '.join(ext)
    except OSError as e:
        return False, False, f'connect {address}:25: {e}'


def walk_mx(m, check):
    """What an MTA does around a one-server DANE checker (RFC 7672 2.2):
    MX lookup through the lab resolver (its AD bit trusted: a trusted
    path), hosts in preference order, addresses, DANE only where the MX
    and address RRsets are secure, a look at the greeting and EHLO, then
    check(name, address, dane, tlsa_secure, step) -> (result, reason, log)
    for a server that offers STARTTLS; stops at the first usable host."""
    server = resolver(m)
    dom = domain(m)
    if dom.startswith('['):
        return None
    step = int(os.environ.get('DANELAB_STEP_TIMEOUT', '5'))
    log = []
    rcode, mx_ad, ans = drill(server, dom, 'MX')
    log.append(f'MX {dom}: {rcode} ad={mx_ad} {ans}\n')
    mx = sorted((int(r.split()[0]), i, r.split()[1].rstrip('.').lower())
                for i, (_, t, r) in enumerate(ans) if t == 'MX')
    if rcode != 'NOERROR':
        client_log(m, ''.join(log))
        return [], False, f'MX lookup {rcode}'
    names = [n for _, _, n in mx] if mx else [dom]  # RFC 5321 5.1 implicit MX
    # A null MX (RFC 7505) names no host; beside real MX records (a
    # publisher error) those are tried.
    names = [n for n in names if n]
    if not names:
        client_log(m, ''.join(log))
        return [], False, 'null MX'
    hosts = []
    for name in names:
        rcode, a_ad, ans = drill(server, name, 'A')
        addrs = [r for _, t, r in ans if t == 'A']
        if any(t == 'CNAME' for _, t, _ in ans):
            # RFC 7672 2.2.2 (TLSA at the expanded name, then the original,
            # by the DNSSEC status of each link) is not implemented here.
            client_log(m, ''.join(log) + f'{name} is a CNAME: unsupported\n')
            return None
        log.append(f'A {name}: {rcode} ad={a_ad} {addrs}\n')
        if rcode != 'NOERROR' or not addrs:
            hosts.append({'host': name, 'address': '', 'result': 'failed',
                          'reason': f'address lookup {rcode}, {len(addrs)} address(es)'})
            continue
        # RFC 7672 2.2.1/2.2.2: DANE needs a secure MX RRset (or none) and
        # secure addresses.
        dane = (mx_ad or not mx) and a_ad
        trc, tad, tans = drill(server, '_25._tcp.' + name, 'TLSA') if dane \
            else ('', False, [])
        tlsa_secure = tad and trc == 'NOERROR' and any(t == 'TLSA' for _, t, _ in tans)
        # A TLSA lookup that failed (SERVFAIL: bogus, unreachable, refused)
        # may hide a secure RRset: such a host gets the message over neither
        # cleartext nor unauthenticated TLS (RFC 7672 2.2).
        tlsa_failed = dane and trc not in ('NOERROR', 'NXDOMAIN')
        log.append(f'TLSA _25._tcp.{name}: {trc or "-"} ad={tad}\n')
        if tlsa_failed:
            # Like an MTA (Postfix: "TLSA lookup error", next host), not the
            # tool: the host is skipped unconnected, so the tool's own
            # handling of a failed lookup is not what is tested here.
            hosts.append({'host': name, 'address': addrs[0], 'result': 'failed',
                          'reason': f'TLSA lookup {trc}: host skipped (RFC 7672 2.2)'})
            continue
        for a in addrs:
            if not PLAIN.match(a):
                raise Refused(f'address {a!r}')
            ok, offered, words = ehlo(a, step)
            log.append(f'{a}: {words}\n')
            if not ok or not offered:
                # Refused at the greeting or EHLO: nobody's; no STARTTLS:
                # cleartext unless DANE applies (RFC 7672 2.2).
                result = 'failed' if not ok or tlsa_secure else 'cleartext'
                hosts.append({'host': name, 'address': a, 'result': result, 'reason': words})
                if result != 'failed':
                    client_log(m, ''.join(log))
                    return hosts, False, f'usable: {name} [{a}] {result}'
                continue
            result, why, out = check(name, a, dane, tlsa_secure, step)
            log.append(out)
            hosts.append({'host': name, 'address': a, 'result': result, 'reason': why})
            if result != 'failed':
                client_log(m, ''.join(log))
                return hosts, False, f'usable: {name} [{a}] {result}'
    client_log(m, ''.join(log))
    return hosts, False, 'no usable host'
