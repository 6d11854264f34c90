// Package uwsgi speaks the uwsgi wire protocol the way nginx 1.22's
// ngx_http_uwsgi_module does: it encodes the request packet (a 4-byte
// header and an ordered block of vars, duplicates kept) and parses what a
// uWSGI application answers, either an HTTP/1.x status line and headers or
// CGI-style headers with an optional Status. It does no I/O of its own
// beyond the readers it is handed, so the gateway and the test fixtures
// share one codec.
package uwsgi
