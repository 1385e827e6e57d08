"""``python -m examples.spa``: start the demo's front end and API and print both URLs."""

from __future__ import annotations

import argparse
import os
import threading

from . import PortInUse, start

# How to choose each server's port: the environment variable (make example) and the flag.
PORT_SETTINGS = {"page": ("SPA_PAGE_PORT", "--page-port"), "api": ("SPA_API_PORT", "--api-port")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m examples.spa",
        description="Flask-Preflight two-origin demo: a front end and an API on two origins.",
    )
    parser.add_argument("--page-host", default=os.environ.get("SPA_PAGE_HOST", "127.0.0.1"))
    parser.add_argument(
        "--page-port", type=int, default=int(os.environ.get("SPA_PAGE_PORT", "5000"))
    )
    parser.add_argument("--api-host", default=os.environ.get("SPA_API_HOST", "localhost"))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("SPA_API_PORT", "5001")))
    args = parser.parse_args(argv)

    try:
        demo = start(args.page_host, args.page_port, args.api_host, args.api_port)
    except PortInUse as busy:
        variable, flag = PORT_SETTINGS[busy.which]
        other = busy.port + 10
        what = "front end" if busy.which == "page" else "API"
        parser.exit(
            1,
            f"The demo's {what} cannot listen on {busy.host}:{busy.port}: another program "
            f"uses port {busy.port}.\nStop it, or choose another port: "
            f"{variable}={other} make example (or python -m examples.spa {flag} {other}).\n",
        )
    print("Flask-Preflight two-origin demo", flush=True)
    print(f"  front end: {demo.page_url}   <- open this in a browser", flush=True)
    print(f"  API:       {demo.api_url}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping", flush=True)
    finally:
        demo.stop()


if __name__ == "__main__":
    main()
