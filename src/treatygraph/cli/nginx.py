"""``treatygraph nginx``: print an nginx configuration for running behind nginx.

nginx buffers slow clients away from gunicorn's sync workers and answers repeated requests from
its cache, as far as the app's Cache-Control allows (docs/deploy/nginx.conf is the default
output). The limits nginx must let through (BODY_CAP, URL_CAP, QUERY_TIMEOUT) are read from the
same settings as ``serve``: give the same flags or ``TREATYGRAPH_*`` variables to both.

    treatygraph nginx --upstream 127.0.0.1:8000 > /etc/nginx/conf.d/treatygraph.conf
"""

from __future__ import annotations

import argparse
import sys

from treatygraph.web import settings
from treatygraph.web.nginx import Deployment, render

_DEFAULT = Deployment()
_LIMITS = ("QUERY_TIMEOUT", "BODY_CAP", "URL_CAP")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--listen", default=_DEFAULT.listen, help="nginx's listen (80)")
    parser.add_argument("--server-name", default=_DEFAULT.server_name, help="server_name (_)")
    parser.add_argument(
        "--upstream",
        default=_DEFAULT.upstream,
        metavar="HOST:PORT|unix:PATH",
        help=f"where `treatygraph serve` listens ({_DEFAULT.upstream})",
    )
    parser.add_argument(
        "--cache-dir", default=_DEFAULT.cache_dir, help=f"nginx's cache ({_DEFAULT.cache_dir})"
    )
    parser.add_argument(
        "--cache-mb", type=int, default=_DEFAULT.cache_mb, help="cache size in MB (256)"
    )
    for key in _LIMITS:
        s = settings.BY_KEY[key]
        parser.add_argument(
            s.flag or key,
            dest=key,
            type=s.type,
            metavar=s.metavar,
            default=argparse.SUPPRESS,
            help=f"the app's {key} ({s.default})",
        )


def run(args: argparse.Namespace) -> int:
    config = {**settings.defaults(), **settings.from_environ(), **settings.from_args(args)}
    deployment = Deployment(
        listen=args.listen,
        server_name=args.server_name,
        upstream=args.upstream,
        cache_dir=args.cache_dir,
        cache_mb=args.cache_mb,
        body_cap=int(config["BODY_CAP"]),
        url_cap=int(config["URL_CAP"]),
        query_timeout=float(config["QUERY_TIMEOUT"]),
    )
    sys.stdout.write(render(deployment))
    return 0
