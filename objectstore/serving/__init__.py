"""How our ASGI apps meet the network: uvicorn with bounded request heads
(`head_limits`), the request id and access log around every app (`request_layer`),
and one uvicorn configuration for every port (`servers`)."""
