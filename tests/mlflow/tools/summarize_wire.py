"""Prints a JSON-lines log written by record_proxy.py as Markdown: one section per /__mark__ label,
one line per exchange (method, path, query, status), with the request and response bodies
abbreviated to --width characters.

Usage: python summarize_wire.py wire.jsonl [--width 300] [--bodies]
"""

from __future__ import annotations

import argparse
import json


def abbreviate(body: object, width: int) -> str:
    if body is None:
        return "(empty)"
    if isinstance(body, dict) and "_truncated_json" in body:
        text = " ".join(str(body["_truncated_json"]).split())
    elif isinstance(body, dict) and "_binary_bytes" in body:
        return f"<{body['_binary_bytes']} binary bytes>"
    elif isinstance(body, dict) and "_text" in body:
        text = json.dumps(body["_text"])
    else:
        text = json.dumps(body)
    return text if len(text) <= width else text[:width] + " …"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--width", type=int, default=300)
    ap.add_argument("--bodies", action="store_true", help="print abbreviated request/response bodies")
    args = ap.parse_args()
    with open(args.log, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            if "mark" in e:
                print(f"\n### {e['mark']}\n")
                continue
            query = "&".join(f"{k}={v}" for k, v in e["query"])
            ct = e["req_headers"].get("content-type")
            print(f"- `{e['method']} {e['path']}{'?' + query if query else ''}` → {e['status']}" + (f" (request `Content-Type: {ct}`)" if ct else ""))
            if args.bodies:
                if e.get("req_body") is not None:
                    print(f"  - request: `{abbreviate(e['req_body'], args.width)}`")
                print(f"  - response: `{abbreviate(e['resp_body'], args.width)}`")


if __name__ == "__main__":
    main()
