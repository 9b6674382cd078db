"""A real SMTP server on loopback for reckon's email tests (Debian's python3-aiosmtpd).

Usage: smtp_server.py --dir DIR [--tls none|starttls|implicit --cert C --key K]
       [--require-starttls] [--user U --password P] [--reject ADDRESS]...
Prints "READY <port>" once listening, keeps each message as DIR/message-N.eml with its
envelope in DIR/message-N.json, and stops when its standard input closes.
"""
import argparse
import json
import os
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--require-starttls", action="store_true")
parser.add_argument("--user")
parser.add_argument("--password")
parser.add_argument("--reject", action="append", default=[])
args = parser.parse_args()


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in args.reject:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        number = len([name for name in os.listdir(args.dir) if name.endswith(".eml")])
        base = os.path.join(args.dir, "message-%d" % number)
        with open(base + ".json", "w") as envelope_file:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "tls": session.ssl is not None or args.tls == "implicit",
                    "authenticated": bool(session.authenticated),
                },
                envelope_file,
            )
        with open(base + ".eml.part", "wb") as message_file:
            message_file.write(envelope.original_content or envelope.content)
        os.rename(base + ".eml.part", base + ".eml")
        return "250 2.0.0 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == args.user
        and auth_data.password.decode() == args.password
    )
    return AuthResult(success=ok, handled=False)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


context = None
if args.tls != "none":
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)

options = {}
if args.user:
    options["authenticator"] = authenticator
    options["auth_required"] = True
    options["auth_require_tls"] = False
if args.tls == "starttls":
    options["tls_context"] = context
    options["require_starttls"] = args.require_starttls

port = free_port()
controller = Controller(
    Handler(),
    hostname="127.0.0.1",
    port=port,
    ssl_context=context if args.tls == "implicit" else None,
    **options,
)
controller.start()
print("READY %d" % port, flush=True)
sys.stdin.read()
controller.stop()
