"""Creates an S3 bucket (if missing) with a SigV4-signed request, using only the standard library.

Usage: s3-bucket.py ENDPOINT BUCKET ACCESS_KEY SECRET_KEY [TIMEOUT_S]
Retries until the S3 API answers or TIMEOUT_S passes, so it doubles as the readiness check: on exit 0
the endpoint accepts these credentials and the bucket exists.
"""

import datetime
import hashlib
import hmac
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

REGION = "us-east-1"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _sign(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signed_request(method: str, endpoint: str, bucket: str, access: str, secret: str) -> urllib.request.Request:
    url = urllib.parse.urlsplit(endpoint)
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = now.strftime("%Y%m%d")
    path = "/" + urllib.parse.quote(bucket)
    headers = {"host": url.netloc, "x-amz-content-sha256": EMPTY_SHA256, "x-amz-date": amz_date}
    signed = ";".join(sorted(headers))
    canonical = "\n".join(
        [method, path, "", "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)), signed, EMPTY_SHA256]
    )
    scope = f"{day}/{REGION}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _sign(_sign(_sign(_sign(("AWS4" + secret).encode(), day), REGION), "s3"), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access}/{scope}, SignedHeaders={signed}, Signature={signature}"
    )
    return urllib.request.Request(f"{endpoint}{path}", method=method, headers=headers)


def status_of(req: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def main() -> int:
    endpoint, bucket, access, secret = sys.argv[1:5]
    deadline = time.monotonic() + float(sys.argv[5] if len(sys.argv) > 5 else 60)
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            head = status_of(signed_request("HEAD", endpoint, bucket, access, secret))
            if head == 200:
                return 0
            if head == 404:
                put = status_of(signed_request("PUT", endpoint, bucket, access, secret))
                last = f"PUT /{bucket} answered {put}"
                if put in (200, 409):
                    continue
            else:
                last = f"HEAD /{bucket} answered {head}"
        except OSError as err:
            last = str(err)
        time.sleep(0.2)
    print(f"s3-bucket.py: S3 API at {endpoint} not ready: {last}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
