'use strict';
// runner/adapters/mx-connect.js -- deliver one message the way a Node.js MTA
// built on mx-connect does: mx-connect finds the MX hosts, their addresses
// and TLSA records and opens the TCP connection; nodemailer's SMTPConnection
// speaks SMTP over it, STARTTLS included; the certificate is checked with
// the `daneVerifier` mx-connect returns.  Called by runner/adapters/mx-connect
// (`send`), which passes the modules' folder as argv[2].  Prints one result
// line (runner/ADAPTERS.md); its own log goes to $DANELAB_CASE_DIR/client.log.
//
// What this glue decides, and why (docs/mtas.md, "mx-connect"):
// - Every DNS query goes to $DANELAB_RESOLVER only: dns.setServers() for
//   the module-wide resolver (mx-connect's default, mailauth's) and a
//   dns.Resolver of our own handed to mx-connect as dnsOptions.resolve.
// - Node cannot ask for TLSA (dns.resolveTlsa exists from Node 22.15 on), so
//   mx-connect's README has the caller pass dane.resolveTlsa.  Ours mirrors
//   Node's: one query over UDP (TCP if truncated), the answer's TLSA records
//   whatever its AD bit (Node does not expose it: nodejs/node#57159), errors
//   as c-ares codes (ENODATA, ENOTFOUND, ESERVFAIL, ...).  The AD bit is only
//   logged.
// - The README says to use daneVerifier as tls.connect()'s
//   checkServerIdentity, but Node calls that only after the chain has passed
//   PKIX validation against its CA store, which a DANE server need not (and
//   in the lab never does).  So TLS runs with rejectUnauthorized false and
//   the verifier is called right after the handshake with exactly what Node
//   would pass it (the SNI name, getPeerCertificate(true)), before MAIL.
// - A host that fails (connection, TLS, DANE, 4xx) is skipped and mx-connect
//   is called again with it in ignoreMXHosts, as its README suggests; a 5xx
//   reply to MAIL, RCPT or DATA bounces the message, as an MTA does.
const path = require('path');
const fs = require('fs');
const dns = require('dns');
const dgram = require('dgram');
const net = require('net');
const util = require('util');

const modules = process.argv[2];
const mxConnect = require(path.join(modules, 'mx-connect'));
const SMTPConnection = require(path.join(modules, 'nodemailer/lib/smtp-connection'));
const dnsPacket = require(path.join(modules, 'dns-packet'));

const env = process.env;
const step = Math.max(1, Number(env.DANELAB_STEP_TIMEOUT) || 5) * 1000;
const caseDir = env.DANELAB_CASE_DIR || '.';
const logFile = path.join(caseDir, 'client.log');

function log(line) {
    fs.appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
}

function result(obj) {
    process.stdout.write(JSON.stringify(obj) + '\n');
}

// --- the TLSA lookup mx-connect asks its caller for (see the header) ---

const CARES = { 1: 'EFORMERR', 2: 'ESERVFAIL', 3: 'ENOTFOUND', 4: 'ENOTIMP', 5: 'EREFUSED' };

function dnsError(code, name) {
    const err = new Error(`queryTlsa ${code} ${name}`);
    err.code = code;
    err.hostname = name;
    return err;
}

function query(name) {
    return dnsPacket.encode({
        type: 'query',
        id: Math.floor(Math.random() * 65536),
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: 'TLSA', name }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 }]
    });
}

function askUdp(server, name) {
    return new Promise((resolve, reject) => {
        const sock = dgram.createSocket(net.isIPv6(server) ? 'udp6' : 'udp4');
        const q = query(name);
        const id = q.readUInt16BE(0);
        const timer = setTimeout(() => {
            sock.close();
            reject(dnsError('ETIMEOUT', name));
        }, step);
        sock.on('message', msg => {
            if (msg.length < 2 || msg.readUInt16BE(0) !== id) {
                return;
            }
            clearTimeout(timer);
            sock.close();
            resolve(msg);
        });
        sock.on('error', err => {
            clearTimeout(timer);
            sock.close();
            reject(err);
        });
        sock.send(q, 53, server);
    });
}

function askTcp(server, name) {
    return new Promise((resolve, reject) => {
        const sock = net.connect({ host: server, port: 53 });
        let buf = Buffer.alloc(0);
        sock.setTimeout(step, () => {
            sock.destroy();
            reject(dnsError('ETIMEOUT', name));
        });
        sock.on('connect', () => sock.write(dnsPacket.streamEncode(dnsPacket.decode(query(name)))));
        sock.on('data', d => {
            buf = Buffer.concat([buf, d]);
            if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
                sock.destroy();
                resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
            }
        });
        sock.on('error', reject);
    });
}

async function resolveTlsa(server, name) {
    let msg = await askUdp(server, name);
    let ans = dnsPacket.decode(msg);
    if (ans.flag_tc) {
        msg = await askTcp(server, name);
        ans = dnsPacket.decode(msg);
    }
    const rcode = msg.readUInt16BE(2) & 0xf;
    const ad = (msg.readUInt16BE(2) & 0x20) !== 0;
    if (rcode !== 0) {
        log(`tlsa ${name}: rcode ${ans.rcode} ad=${ad ? 1 : 0}`);
        throw dnsError(CARES[rcode] || 'EBADRESP', name);
    }
    const recs = (ans.answers || []).filter(rr => rr.type === 'TLSA');
    log(`tlsa ${name}: ${recs.length} record(s) ad=${ad ? 1 : 0} (the AD bit is not used: Node does not expose it)`);
    if (recs.length === 0) {
        throw dnsError('ENODATA', name);
    }
    return recs.map(rr => ({
        usage: rr.data.usage,
        selector: rr.data.selector,
        mtype: rr.data.matchingType,
        cert: rr.data.certificate,
        ttl: rr.ttl
    }));
}

// --- one SMTP transaction over the socket mx-connect opened ---

function smtpError(err) {
    const code = Number(err && err.responseCode) || 0;
    return { code, text: (err && (err.response || err.message)) || String(err) };
}

function deliver(conn, from, rcpt, message) {
    return new Promise(resolve => {
        // SNI is nodemailer's: the host name, none for an address literal.
        const tlsOpts = { rejectUnauthorized: false };
        const smtp = new SMTPConnection({
            connection: conn.socket,
            host: conn.hostname,
            port: conn.port,
            name: 'client.danelab.test',
            requireTLS: !!conn.requireTls,
            opportunisticTLS: !conn.requireTls,
            tls: tlsOpts,
            connectionTimeout: step,
            greetingTimeout: step,
            socketTimeout: step,
            logger: {
                info: (o, ...a) => log(`smtp ${conn.host}: ${util.format(...a)}`),
                debug: () => {},
                error: (o, ...a) => log(`smtp ${conn.host}: error ${util.format(...a)}`),
                warn: (o, ...a) => log(`smtp ${conn.host}: warn ${util.format(...a)}`),
                trace: () => {},
                fatal: (o, ...a) => log(`smtp ${conn.host}: fatal ${util.format(...a)}`)
            }
        });
        let done = false;
        const finish = r => {
            if (done) {
                return;
            }
            done = true;
            try {
                smtp.close();
            } catch {
                // already closed
            }
            resolve(r);
        };
        smtp.on('error', err => finish({ ok: false, stage: 'session', ...smtpError(err) }));
        smtp.connect(() => {
            let security = smtp.secure ? 'encrypted' : 'cleartext';
            if (conn.daneVerifier) {
                if (!smtp.secure) {
                    return finish({ ok: false, stage: 'tls', code: 0, text: 'DANE: no TLS' });
                }
                const err = conn.daneVerifier(conn.hostname, smtp._socket.getPeerCertificate(true));
                if (err) {
                    log(`smtp ${conn.host}: ${err.message}`);
                    return finish({ ok: false, stage: 'dane', code: 0, text: err.message });
                }
                security = 'dane';
            }
            log(`smtp ${conn.host}: session ${security}`);
            smtp.send({ from, to: [rcpt] }, message, (err, info) => {
                if (err) {
                    return finish({ ok: false, stage: 'transaction', ...smtpError(err) });
                }
                log(`smtp ${conn.host}: accepted: ${info.response}`);
                finish({ ok: true, security, text: info.response });
            });
        });
    });
}

async function main() {
    const server = env.DANELAB_RESOLVER;
    if (!server || !net.isIP(server)) {
        throw new Error(`DANELAB_RESOLVER is not an address: '${server}'`);
    }
    // Never the host's resolver: both the module-wide one and our own.
    dns.setServers([server]);
    const resolver = new dns.Resolver({ timeout: step, tries: 1 });
    resolver.setServers([server]);
    log(`resolver ${server} (dns.getServers(): ${dns.getServers().join(',')})`);

    const rcpt = env.DANELAB_RCPT;
    const from = env.DANELAB_FROM || '';
    const message = fs.readFileSync(env.DANELAB_MESSAGE);
    const policy = env.DANELAB_POLICY || 'dane';
    const at = rcpt.lastIndexOf('@');
    const target = rcpt.slice(at + 1);
    const opts = {
        target,
        port: 25,
        maxConnectTime: step,
        dnsOptions: { resolve: resolver.resolve.bind(resolver) },
        connectError: err => log(`connect: ${err.message}`),
        dane: {
            enabled: policy !== 'may',
            verify: true,
            resolveTlsa: name => resolveTlsa(server, name),
            logger: o => log(`dane: ${JSON.stringify(o)}`)
        }
    };
    if (env.DANELAB_RELAY) {
        const i = env.DANELAB_RELAY.lastIndexOf(':');
        opts.mx = [{ exchange: env.DANELAB_RELAY.slice(0, i), priority: 0 }];
        opts.port = Number(env.DANELAB_RELAY.slice(i + 1));
    }

    const ignore = [];
    let last = null;
    // One pass over the MX hosts: each failed address is skipped on the next call.
    for (let tries = 0; tries < 64; tries++) {
        let conn;
        try {
            conn = await mxConnect({ ...opts, ignoreMXHosts: ignore.slice(), mxLastError: last && last.err });
        } catch (err) {
            log(`mx-connect: ${err.message} (category ${err.category || '-'}, temporary ${err.temporary})`);
            if (last) {
                return result({ disposition: last.bounce ? 'bounced' : 'deferred', reason: last.text });
            }
            // Nothing was tried: a permanent DNS answer (no such domain) bounces.
            const perm = err.category === 'dns' && !err.temporary;
            return result({ disposition: perm ? 'bounced' : 'deferred', reason: err.response || err.message });
        }
        log(`mx-connect: ${conn.hostname}[${conn.host}]:${conn.port} dane=${!!conn.daneEnabled} tlsa=${(conn.tlsaRecords || []).length}`);
        const r = await deliver(conn, from, rcpt, message);
        if (r.ok) {
            return result({
                disposition: 'delivered',
                host: conn.hostname,
                address: conn.host,
                security: r.security,
                reason: r.text
            });
        }
        log(`smtp ${conn.host}: failed at ${r.stage}: ${r.text}`);
        const bounce = r.stage === 'transaction' && r.code >= 500;
        last = { text: `${conn.hostname}[${conn.host}]: ${r.text}`, bounce, err: new Error(r.text) };
        last.err.response = r.text;
        if (bounce) {
            return result({ disposition: 'bounced', reason: last.text });
        }
        ignore.push(conn.host);
    }
    return result({ disposition: 'deferred', reason: 'too many MX addresses' });
}

main().catch(err => {
    log(`driver: ${err.stack || err}`);
    process.stderr.write(`mx-connect driver: ${err.message}\n`);
    process.exit(1);
});
