"""tests/e2e/adapter_logs.py -- the MTA adapters' log parsing, on excerpts
recorded from real Postfix 3.7 and Exim 4.96 runs in the lab (issue 13).

The point: TLS belongs to one connection.  One Postfix smtp process (one
Exim delivery) tries MX 10 and then MX 20; TLS with the first must never be
reported for a cleartext delivery to the second.  Also: a lab address that
an MTA takes for its own is reported as a fault of the lab ('error'),
except in a case that makes the client an MX host on purpose (self=).
Prints one PASS/FAIL line per check; exit status 1 on any FAIL.
"""
import importlib.machinery
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ADAPTERS = os.path.join(HERE, '..', '..', 'runner', 'adapters')


def load(name):
    loader = importlib.machinery.SourceFileLoader('adapter_' + name,
                                                  os.path.join(ADAPTERS, name))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


# Postfix: MX 10 (TLS, then 451 to MAIL), MX 20 without STARTTLS; one smtp
# process, pid 461.  The adapter used to report "encrypted" here.
PF_TLS_THEN_CLEAR = """\
Dec 06 04:55:45 client postfix/cleanup[455]: A0044AE: message-id=<two-host-tls-then-clear.1@danelab.test>
Dec 06 04:55:45 client postfix/qmgr[447]: A0044AE: from=<sender@danelab.invalid>, size=506, nrcpt=1 (queue active)
Dec 06 04:55:46 client postfix/smtp[461]: Untrusted TLS connection established to mx1.two-host-tls-then-clear.test[127.16.2.1]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256
Dec 06 04:55:46 client postfix/smtp[461]: A0044AE: host mx1.two-host-tls-then-clear.test[127.16.2.1] said: 451 4.0.0 deferred by persona (in reply to MAIL FROM command)
Dec 06 04:55:46 client postfix/smtp[461]: A0044AE: to=<user@two-host-tls-then-clear.test>, relay=mx2.two-host-tls-then-clear.test[127.16.2.2]:25, delay=0.78, delays=0.11/0.58/0.09/0, dsn=2.0.0, status=sent (250 2.0.0 message accepted)
Dec 06 04:55:46 client postfix/qmgr[447]: A0044AE: removed
"""
# The same over IPv6.
PF_TLS_THEN_CLEAR6 = """\
Dec 06 04:55:43 client postfix/cleanup[399]: 2BB1788: message-id=<v6-two-mx-cleartext.1@danelab.test>
Dec 06 04:55:43 client postfix/smtp[407]: Untrusted TLS connection established to mx1.v6-two-mx-cleartext.test[fdda:9e1a:b000:1:5::1]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256
Dec 06 04:55:43 client postfix/smtp[407]: 2BB1788: host mx1.v6-two-mx-cleartext.test[fdda:9e1a:b000:1:5::1] said: 451 4.0.0 deferred by persona (in reply to MAIL FROM command)
Dec 06 04:55:44 client postfix/smtp[407]: 2BB1788: to=<user@v6-two-mx-cleartext.test>, relay=mx2.v6-two-mx-cleartext.test[fdda:9e1a:b000:1:5::2]:25, delay=1.1, delays=0.2/0.38/0.49/0.03, dsn=2.0.0, status=sent (250 2.0.0 message accepted)
"""
# MX 10 without STARTTLS defers, MX 20 has TLS (no TLSA).
PF_CLEAR_THEN_TLS = """\
Dec 06 04:52:22 client postfix/cleanup[438]: 373DF9F: message-id=<two-host-clear-then-tls.1@danelab.test>
Dec 06 04:52:22 client postfix/smtp[443]: 373DF9F: host mx1.two-host-clear-then-tls.test[127.16.0.1] said: 451 4.0.0 deferred by persona (in reply to MAIL FROM command)
Dec 06 04:52:22 client postfix/smtp[443]: Untrusted TLS connection established to mx2.two-host-clear-then-tls.test[127.16.0.2]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256
Dec 06 04:52:22 client postfix/smtp[443]: 373DF9F: to=<user@two-host-clear-then-tls.test>, relay=mx2.two-host-clear-then-tls.test[127.16.0.2]:25, delay=0.49, delays=0.19/0.23/0.06/0, dsn=2.0.0, status=sent (250 2.0.0 message accepted)
"""
# DANE over IPv6.
PF_DANE6 = """\
Dec 06 04:55:43 client postfix/cleanup[399]: 52C1C8B: message-id=<v6-only-dane.1@danelab.test>
Dec 06 04:55:44 client postfix/smtp[428]: Verified TLS connection established to mx1.v6-only-dane.test[fdda:9e1a:b000:1:3::1]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256
Dec 06 04:55:44 client postfix/smtp[428]: 52C1C8B: to=<user@v6-only-dane.test>, relay=mx1.v6-only-dane.test[fdda:9e1a:b000:1:3::1]:25, delay=1.4, delays=0.29/0.97/0.1/0.02, dsn=2.0.0, status=sent (250 2.0.0 message accepted)
"""
# The client is the lowest MX itself (proxy_interfaces).
PF_SELF = """\
Dec 06 04:56:20 client postfix/cleanup[268]: 5B96769: message-id=<self-lowest.1@danelab.test>
Dec 06 04:56:20 client postfix/smtp[270]: 5B96769: to=<user@self-lowest.test>, relay=none, delay=0.64, delays=0.29/0.35/0.01/0, dsn=5.4.6, status=bounced (mail for self-lowest.test loops back to myself)
"""

# Exim: the same two-host sequence, and the others, as its mainlog has them.
EX_TLS_THEN_CLEAR = """\
2026-12-06 04:55:55 1xa4Hz-00003C-0v <= sender@danelab.invalid U=root P=local S=588 id=two-host-tls-then-clear.1@danelab.test for user@two-host-tls-then-clear.test
2026-12-06 04:55:55 1xa4Hz-00003C-0v H=mx1.two-host-tls-then-clear.test [127.16.2.1]:25: SMTP error from remote mail server after pipelined MAIL FROM:<sender@danelab.invalid> SIZE=1625: 451 4.0.0 deferred by persona
2026-12-06 04:55:55 1xa4Hz-00003C-0v H=mx1.two-host-tls-then-clear.test [127.16.2.1] TLS error on connection (recv): Error in the pull function.
2026-12-06 04:55:55 1xa4Hz-00003C-0v => user@two-host-tls-then-clear.test R=dnslookup T=dane H=mx2.two-host-tls-then-clear.test [127.16.2.2]:25 C="250 2.0.0 message accepted"
2026-12-06 04:55:55 1xa4Hz-00003C-0v Completed
"""
EX_CLEAR_THEN_TLS = """\
2026-12-06 04:55:16 1xa4HM-000031-1j <= sender@danelab.invalid U=root P=local S=588 id=two-host-clear-then-tls.1@danelab.test for user@two-host-clear-then-tls.test
2026-12-06 04:55:16 1xa4HM-000031-1j H=mx1.two-host-clear-then-tls.test [127.16.0.1]:25: SMTP error from remote mail server after pipelined MAIL FROM:<sender@danelab.invalid> SIZE=1625: 451 4.0.0 deferred by persona
2026-12-06 04:55:16 1xa4HM-000031-1j H=mx2.two-host-clear-then-tls.test [127.16.0.2] TLS error on connection (recv): The TLS connection was non-properly terminated.
2026-12-06 04:55:16 1xa4HM-000031-1j => user@two-host-clear-then-tls.test R=dnslookup T=dane H=mx2.two-host-clear-then-tls.test [127.16.0.2]:25 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=no C="250 2.0.0 message accepted"
2026-12-06 04:55:16 1xa4HM-000031-1j Completed
"""
EX_DANE6 = """\
2026-12-06 04:55:54 1xa4Hy-000031-2c <= sender@danelab.invalid U=root P=local S=522 id=v6-only-dane.1@danelab.test for user@v6-only-dane.test
2026-12-06 04:55:55 1xa4Hy-000031-2c => user@v6-only-dane.test R=dnslookup T=dane H=mx1.v6-only-dane.test [fdda:9e1a:b000:1:3::1]:25 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=dane C="250 2.0.0 message accepted"
2026-12-06 04:55:55 1xa4Hy-000031-2c Completed
"""
EX_SELF = """\
2026-12-06 04:56:31 1xa4IZ-00002J-0y <= sender@danelab.invalid U=root P=local S=516 id=self-lowest.1@danelab.test for user@self-lowest.test
2026-12-06 04:56:31 1xa4IZ-00002J-0y lowest numbered MX record points to local host: self-lowest.test
2026-12-06 04:56:31 1xa4IZ-00002J-0y == user@self-lowest.test R=dnslookup defer (-1): lowest numbered MX record points to local host
2026-12-06 04:56:31 1xa4IZ-00002J-0y Frozen
"""

# One message to two domains whose MX hosts share an address; the second
# domain's TLSA matches nothing (cases/multi/multi-rcpt-second-domain-tlsa-
# mismatch).  One smtp process, two connections to the same address: the
# apex's recipient Verified, the second's deferred (Postfix 3.7.11).
PF_MULTI = """\
Dec 06 07:44:27 client postfix/cleanup[462]: 3E25EAF: message-id=<multi-rcpt-second-domain-tlsa-mismatch.1@danelab.test>
Dec 06 07:44:27 client postfix/qmgr[454]: 3E25EAF: from=<sender@danelab.invalid>, size=640, nrcpt=2 (queue active)
Dec 06 07:44:28 client postfix/smtp[464]: Verified TLS connection established to mx1.multi-rcpt-second-domain-tlsa-mismatch.test[127.16.2.1]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256
Dec 06 07:44:28 client postfix/smtp[464]: 3E25EAF: to=<user@multi-rcpt-second-domain-tlsa-mismatch.test>, relay=mx1.multi-rcpt-second-domain-tlsa-mismatch.test[127.16.2.1]:25, delay=1.5, delays=0.43/0.7/0.3/0.04, dsn=2.0.0, status=sent (250 2.0.0 message accepted)
Dec 06 07:44:28 client postfix/smtp[464]: server certificate verification failed for mx.second.multi-rcpt-second-domain-tlsa-mismatch.test[127.16.2.1]:25: num=65:no matching DANE TLSA records
Dec 06 07:44:28 client postfix/smtp[464]: Untrusted TLS connection established to mx.second.multi-rcpt-second-domain-tlsa-mismatch.test[127.16.2.1]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256
Dec 06 07:44:29 client postfix/smtp[464]: 3E25EAF: to=<user@second.multi-rcpt-second-domain-tlsa-mismatch.test>, relay=mx.second.multi-rcpt-second-domain-tlsa-mismatch.test[127.16.2.1]:25, delay=1.8, delays=0.43/1.1/0.3/0, dsn=4.7.5, status=deferred (Server certificate not verified)
"""
# The same case under Exim 4.96.
EX_MULTI = """\
2026-12-06 07:45:15 1xa6vr-00003F-0Y <= sender@danelab.invalid U=root P=local S=683 id=multi-rcpt-second-domain-tlsa-mismatch.1@danelab.test for user@multi-rcpt-second-domain-tlsa-mismatch.test user@second.multi-rcpt-second-domain-tlsa-mismatch.test
2026-12-06 07:45:16 1xa6vr-00003F-0Y DANE attempt failed; TLS connection to mx.second.multi-rcpt-second-domain-tlsa-mismatch.test [127.16.2.1]: (certificate verification failed): Verification failed. The certificate differs. 
2026-12-06 07:45:16 1xa6vr-00003F-0Y H=mx1.multi-rcpt-second-domain-tlsa-mismatch.test [127.16.2.1] TLS error on connection (recv): The TLS connection was non-properly terminated.
2026-12-06 07:45:16 1xa6vr-00003F-0Y == user@second.multi-rcpt-second-domain-tlsa-mismatch.test R=dnslookup T=dane defer (-37) H=mx.second.multi-rcpt-second-domain-tlsa-mismatch.test [127.16.2.1]:25: TLS session: (certificate verification failed): Verification failed. The certificate differs. 
2026-12-06 07:45:16 1xa6vr-00003F-0Y => user@multi-rcpt-second-domain-tlsa-mismatch.test R=dnslookup T=dane H=mx1.multi-rcpt-second-domain-tlsa-mismatch.test [127.16.2.1]:25 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=dane C="250 2.0.0 message accepted"
"""

fails = 0


def check(name, got, want):
    global fails
    bad = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    if bad:
        fails += 1
        print(f'FAIL e2e/adapter-logs/{name}: ' +
              ', '.join(f'{k}={g!r}, want {w!r}' for k, (g, w) in bad.items()))
    else:
        print(f'PASS e2e/adapter-logs/{name}')


def postfix(log, selfish=()):
    res, _ = PF.parse_outcomes(log.splitlines(), {}, selfish)
    return res


PF = load('postfix')
EX = load('exim')

check('postfix/one-process-tls-mx10-cleartext-mx20',
      postfix(PF_TLS_THEN_CLEAR)['two-host-tls-then-clear.1@danelab.test'],
      {'disposition': 'delivered', 'security': 'cleartext',
       'host': 'mx2.two-host-tls-then-clear.test', 'address': '127.16.2.2'})
check('postfix/one-process-tls-mx10-cleartext-mx20-ipv6',
      postfix(PF_TLS_THEN_CLEAR6)['v6-two-mx-cleartext.1@danelab.test'],
      {'disposition': 'delivered', 'security': 'cleartext',
       'address': 'fdda:9e1a:b000:1:5::2'})
check('postfix/one-process-cleartext-mx10-tls-mx20',
      postfix(PF_CLEAR_THEN_TLS)['two-host-clear-then-tls.1@danelab.test'],
      {'disposition': 'delivered', 'security': 'encrypted', 'address': '127.16.0.2'})
check('postfix/verified-ipv6-is-dane',
      postfix(PF_DANE6)['v6-only-dane.1@danelab.test'],
      {'disposition': 'delivered', 'security': 'dane', 'address': 'fdda:9e1a:b000:1:3::1'})
# Two processes whose lines interleave: each keeps its own TLS state.
a, b = PF_TLS_THEN_CLEAR6.splitlines(), PF_DANE6.splitlines()
mixed = '\n'.join([b[0], a[0], b[1], a[1], a[2], b[2], a[3]])
r = postfix(mixed)
check('postfix/interleaved-processes-cleartext',
      r['v6-two-mx-cleartext.1@danelab.test'], {'security': 'cleartext'})
check('postfix/interleaved-processes-dane', r['v6-only-dane.1@danelab.test'],
      {'security': 'dane'})
# A TLS session ended by a failure does not carry over to a reconnection to
# the same address (the lines of a TLS failure, then a cleartext delivery).
retry = PF_DANE6.splitlines()
retry.insert(2, 'Dec 06 04:55:44 client postfix/smtp[428]: 52C1C8B: lost connection with '
             'mx1.v6-only-dane.test[fdda:9e1a:b000:1:3::1] while performing the EHLO handshake')
check('postfix/session-end-clears-tls', postfix('\n'.join(retry))['v6-only-dane.1@danelab.test'],
      {'security': 'cleartext'})
r = postfix(PF_SELF)['self-lowest.1@danelab.test']
check('postfix/loops-back-to-myself-is-a-lab-fault', r,
      {'disposition': 'bounced'})
check('postfix/loops-back-to-myself-error-named',
      {'named': 'loops back to myself' in r.get('error', '')}, {'named': True})
check('postfix/loops-back-to-myself-with-self-option',
      postfix(PF_SELF, {'self-lowest.1@danelab.test'})['self-lowest.1@danelab.test'],
      {'disposition': 'bounced', 'error': None})

check('exim/tls-mx10-cleartext-mx20',
      EX.outcome_of(EX_TLS_THEN_CLEAR.splitlines(), '1xa4Hz-00003C-0v'),
      {'disposition': 'delivered', 'security': 'cleartext', 'address': '127.16.2.2'})
check('exim/cleartext-mx10-tls-mx20',
      EX.outcome_of(EX_CLEAR_THEN_TLS.splitlines(), '1xa4HM-000031-1j'),
      {'disposition': 'delivered', 'security': 'encrypted', 'address': '127.16.0.2'})
check('exim/dane-ipv6', EX.outcome_of(EX_DANE6.splitlines(), '1xa4Hy-000031-2c'),
      {'disposition': 'delivered', 'security': 'dane', 'address': 'fdda:9e1a:b000:1:3::1'})
r = EX.outcome_of(EX_SELF.splitlines(), '1xa4IZ-00002J-0y')
check('exim/points-to-local-host-is-a-lab-fault', r, {'disposition': 'deferred'})
check('exim/points-to-local-host-error-named',
      {'named': 'points to local host' in r.get('error', '')}, {'named': True})
check('exim/points-to-local-host-with-self-option',
      EX.outcome_of(EX_SELF.splitlines(), '1xa4IZ-00002J-0y', selfish=True),
      {'disposition': 'deferred', 'error': None})
# Several recipients: an entry each, from each recipient's own line.
MID = 'multi-rcpt-second-domain-tlsa-mismatch.1@danelab.test'
RCPTS = ['user@multi-rcpt-second-domain-tlsa-mismatch.test',
         'user@second.multi-rcpt-second-domain-tlsa-mismatch.test']
r = PF.with_recipients(postfix(PF_MULTI), MID, RCPTS)
check('postfix/multi-rcpt-message-deferred', r, {'disposition': 'deferred'})
check('postfix/multi-rcpt-first-verified', r['recipients'][0],
      {'rcpt': RCPTS[0], 'disposition': 'delivered', 'security': 'dane',
       'address': '127.16.2.1'})
check('postfix/multi-rcpt-second-deferred', r['recipients'][1],
      {'rcpt': RCPTS[1], 'disposition': 'deferred'})
check('postfix/multi-rcpt-done-waits-for-both',
      {'done': PF.done(postfix('\n'.join(PF_MULTI.splitlines()[:4])), MID, RCPTS)},
      {'done': False})
r = EX.with_recipients(EX.outcome_of(EX_MULTI.splitlines(), '1xa6vr-00003F-0Y'),
                       EX_MULTI.splitlines(), '1xa6vr-00003F-0Y', RCPTS)
check('exim/multi-rcpt-message-deferred', r, {'disposition': 'deferred'})
check('exim/multi-rcpt-first-dane', r['recipients'][0],
      {'rcpt': RCPTS[0], 'disposition': 'delivered', 'security': 'dane'})
check('exim/multi-rcpt-second-deferred', r['recipients'][1],
      {'rcpt': RCPTS[1], 'disposition': 'deferred', 'security': None})
sys.exit(1 if fails else 0)
