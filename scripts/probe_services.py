"""Exit 0 when every URL given (postgresql:// or redis://) answers, 1 otherwise.

With --require, say clearly which service is missing: CI must fail, not skip, without them.
"""

import sys


def check(url: str) -> str | None:
    try:
        if url.startswith("redis://"):
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        else:
            import psycopg

            psycopg.connect(url.replace("postgresql://", "postgresql://", 1), connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001
        return f"{url}: {exc}".strip()
    return None


def main(argv: list[str]) -> int:
    require = "--require" in argv
    urls = [a for a in argv if not a.startswith("--")]
    failures = [msg for msg in map(check, urls) if msg]
    for msg in failures:
        print(("REQUIRED SERVICE MISSING: " if require else "not reachable: ") + msg, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
