//! HTTP client settings from the environment (`CONSUL_HTTP_ADDR`, `SD_HTTP_ADDR`, `CONSUL_HTTP_TOKEN`, ...).
