"""`python -m sandbox.woocommerce --port 8080 [--seed demo] ...`: serve the sandbox until interrupted."""
from __future__ import annotations

import argparse
import ssl
import sys

from ..faults import add_fault_arguments, faults_from_arguments
from ..serving import serve_until_interrupted
from .app import create_app
from .seed import seed_demo
from .store import Store


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox.woocommerce", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", choices=["demo"], help="start with the demo store instead of an empty one")
    parser.add_argument("--consumer-key", default="ck_sandbox")
    parser.add_argument("--consumer-secret", default="cs_sandbox")
    parser.add_argument("--read-only-key", nargs=2, metavar=("KEY", "SECRET"), help="an extra key with read access")
    parser.add_argument("--behind-https", action="store_true",
                        help="act as if behind a TLS proxy: Basic and query-string keys work")
    parser.add_argument("--strip-authorization", action="store_true",
                        help="drop the Authorization header, as some hosts do")
    parser.add_argument("--tls-cert", help="serve real TLS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    add_fault_arguments(parser)
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    store = Store()
    if args.seed == "demo":
        seed_demo(store)
    context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    app = create_app(store, consumer_key=args.consumer_key, consumer_secret=args.consumer_secret,
                     read_only_key=tuple(args.read_only_key) if args.read_only_key else None,
                     behind_https=args.behind_https, strip_authorization=args.strip_authorization,
                     tls=context is not None, faults=faults_from_arguments(args))
    # The store URL ends the line (the API is under /wp-json/wc/v3).
    return serve_until_interrupted(app, "WooCommerce sandbox", host=args.host, port=args.port, ssl_context=context)


if __name__ == "__main__":
    sys.exit(main())
