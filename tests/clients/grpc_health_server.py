"""A gRPC server speaking grpc.health.v1 with Debian's python3-grpcio, for sd's gRPC check
tests: `server PORT [CERT KEY]` serves cleartext, or TLS with the given certificate. Services:
"" and "web" are SERVING, "down" NOT_SERVING, any other answers NOT_FOUND. Prints "ready" once
listening; runs until killed.

The messages are encoded by hand (one field each), so only grpcio is needed."""

import sys
import time
from concurrent import futures

import grpc

SERVING, NOT_SERVING = 1, 2


def service_of(request: bytes) -> str:
    # HealthCheckRequest: field 1 (service), length-delimited; short names only here.
    if len(request) >= 2 and request[0] == 0x0A:
        return request[2 : 2 + request[1]].decode()
    return ""


def check(request: bytes, context) -> bytes:
    service = service_of(request)
    if service in ("", "web"):
        return bytes([0x08, SERVING])
    if service == "down":
        return bytes([0x08, NOT_SERVING])
    context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")


def main() -> None:
    port = int(sys.argv[1])
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    handler = grpc.method_handlers_generic_handler(
        "grpc.health.v1.Health",
        {
            "Check": grpc.unary_unary_rpc_method_handler(
                check,
                request_deserializer=lambda b: b,
                response_serializer=lambda b: b,
            )
        },
    )
    server.add_generic_rpc_handlers((handler,))
    address = f"127.0.0.1:{port}"
    if len(sys.argv) > 3:
        with open(sys.argv[2], "rb") as c, open(sys.argv[3], "rb") as k:
            creds = grpc.ssl_server_credentials([(k.read(), c.read())])
        server.add_secure_port(address, creds)
    else:
        server.add_insecure_port(address)
    server.start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
