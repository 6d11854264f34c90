package gateway

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// actedOn are the directives Berth's routing reads. Everything else is
// listed in the import report with what Berth does instead: nothing is
// dropped silently.
var actedOn = map[string]bool{
	"http": true, "events": true, "server": true, "listen": true, "server_name": true,
	"location": true, "upstream": true, "include": true, "map": true,
	"proxy_pass": true, "uwsgi_pass": true, "uwsgi_param": true, "proxy_set_header": true,
	"uwsgi_pass_request_headers": true, "absolute_redirect": true, "port_in_redirect": true,
	"server_name_in_redirect": true, "add_header": true, "proxy_redirect": true, "proxy_http_version": true,
	"proxy_connect_timeout": true, "proxy_read_timeout": true, "uwsgi_connect_timeout": true,
	"uwsgi_read_timeout": true, "uwsgi_modifier1": true, "uwsgi_modifier2": true, "uwsgi_buffer_size": true,
	"underscores_in_headers": true, "default_type": true, "types": true, "keepalive": true,
	"fastcgi_split_path_info": true, "charset": true, "charset_types": true, "expires": true,
	"gzip": true, "gzip_types": true, "gzip_vary": true, "gzip_comp_level": true, "gzip_min_length": true,
	"gzip_http_version": true, "gzip_proxied": true, "gzip_static": true,
	"return": true, "rewrite": true, "set": true, "if": true, "break": true,
	"try_files": true, "root": true, "alias": true, "index": true,
	"client_max_body_size": true, "internal": true, "merge_slashes": true,
	"limit_except": true, "allow": true, "deny": true, "error_page": true,
	"proxy_hide_header": true, "proxy_pass_header": true, "uwsgi_hide_header": true, "uwsgi_pass_header": true,
	"proxy_intercept_errors": true, "uwsgi_intercept_errors": true,
	"proxy_ignore_headers": true, "uwsgi_ignore_headers": true,
	"proxy_next_upstream": true, "proxy_next_upstream_tries": true, "proxy_next_upstream_timeout": true,
	"uwsgi_next_upstream": true, "uwsgi_next_upstream_tries": true, "uwsgi_next_upstream_timeout": true,
	"proxy_ssl_session_reuse": true, "proxy_ssl_protocols": true, "proxy_ssl_name": true,
	"proxy_ssl_server_name": true, "proxy_ssl_verify": true, "proxy_ssl_verify_depth": true,
	"proxy_ssl_trusted_certificate": true, "proxy_ssl_certificate": true, "proxy_ssl_certificate_key": true,
	"uwsgi_ssl_session_reuse": true, "uwsgi_ssl_protocols": true, "uwsgi_ssl_name": true,
	"uwsgi_ssl_server_name": true, "uwsgi_ssl_verify": true, "uwsgi_ssl_verify_depth": true,
	"uwsgi_ssl_trusted_certificate": true, "uwsgi_ssl_certificate": true, "uwsgi_ssl_certificate_key": true,
	"auth_request": true, "auth_request_set": true, "satisfy": true,
	"proxy_pass_request_body": true, "uwsgi_pass_request_body": true,
	"proxy_cookie_domain": true, "proxy_cookie_path": true, "proxy_cookie_flags": true,
	"auth_basic": true, "auth_basic_user_file": true, "etag": true, "if_modified_since": true, "geo": true, "split_clients": true, "server_tokens": true, "client_body_timeout": true, "send_timeout": true, "stub_status": true,
	"client_header_timeout": true, "keepalive_timeout": true, "keepalive_requests": true,
	"proxy_method": true, "proxy_pass_request_headers": true, "proxy_set_body": true,
	"limit_req_zone": true, "limit_req": true, "limit_req_status": true, "limit_req_dry_run": true,
	"limit_conn_zone": true, "limit_conn": true, "limit_conn_status": true, "limit_conn_dry_run": true,
	"set_real_ip_from": true, "real_ip_header": true, "real_ip_recursive": true,
}

// reasons say what Berth does about directives it deliberately leaves to
// nginx alone, grouped by why.
var reasons = []struct {
	why   string
	names []string
}{
	{"nginx process setting; Berth runs as one process", []string{
		"user", "worker_connections", "worker_rlimit_nofile", "pid", "daemon",
		"master_process", "multi_accept", "use", "accept_mutex", "load_module", "pcre_jit",
		"worker_cpu_affinity", "worker_priority", "thread_pool", "env", "working_directory",
		"lock_file", "timer_resolution", "worker_shutdown_timeout", "debug_connection",
	}},
	{"nginx process setting; Berth runs as one process, keeping each upstream's keepalive connections once per worker nginx would start", []string{
		"worker_processes",
	}},
	{"names are looked up with the system's resolver; as in nginx, a variable may name a host only where a resolver is set", []string{
		"resolver", "resolver_timeout",
	}},
	{"logging: Berth writes its own access log", []string{
		"access_log", "error_log", "log_format", "log_not_found", "log_subrequest", "rewrite_log",
		"open_log_file_cache", "uninitialized_variable_warn",
	}},
	{"connection tuning with no effect on routing", []string{
		"sendfile", "tcp_nopush", "tcp_nodelay",
		"types_hash_max_size", "types_hash_bucket_size", "server_names_hash_bucket_size",
		"server_names_hash_max_size", "variables_hash_max_size", "variables_hash_bucket_size",
		"map_hash_max_size", "map_hash_bucket_size", "client_body_buffer_size", "client_header_buffer_size",
		"large_client_header_buffers",
		"reset_timedout_connection", "open_file_cache", "open_file_cache_valid", "open_file_cache_min_uses",
		"open_file_cache_errors", "output_buffers", "postpone_output", "lingering_close", "lingering_time",
		"lingering_timeout", "aio", "directio", "sendfile_max_chunk", "proxy_buffering", "proxy_buffers", "proxy_buffer_size", "proxy_busy_buffers_size",
		"proxy_temp_path", "proxy_max_temp_file_size", "uwsgi_buffers", "uwsgi_buffer_size",
		"uwsgi_buffering", "uwsgi_temp_path", "client_body_temp_path", "fastcgi_temp_path", "scgi_temp_path",
		"keepalive_disable", "keepalive_time", "zone",
	}},
	{"response bodies are passed through unconverted", []string{
		"gzip_buffers", "gzip_disable", "gunzip",
		"source_charset", "override_charset", "sub_filter", "sub_filter_once",
		"sub_filter_types", "ssi",
	}},
	{"TLS: Berth serves `ssl` listens with local certificates it makes", []string{
		"ssl_certificate", "ssl_certificate_key", "ssl_protocols", "ssl_ciphers", "ssl_prefer_server_ciphers",
		"ssl_session_cache", "ssl_session_timeout", "ssl_session_tickets", "ssl_dhparam", "ssl_stapling",
		"ssl_stapling_verify", "ssl_trusted_certificate", "ssl_ecdh_curve", "ssl_buffer_size",
		"ssl_early_data", "ssl_client_certificate", "ssl_verify_client", "ssl", "http2",
	}},
	{"TLS to upstreams: Go's cipher suites are used, with no revocation list, key password or OpenSSL command", []string{
		"proxy_ssl_ciphers", "proxy_ssl_crl", "proxy_ssl_password_file", "proxy_ssl_conf_command",
		"uwsgi_ssl_ciphers", "uwsgi_ssl_crl", "uwsgi_ssl_password_file", "uwsgi_ssl_conf_command",
	}},
	{"caching is off locally: every request reaches the upstream", []string{
		"proxy_cache", "proxy_cache_path", "proxy_cache_valid", "proxy_cache_key", "proxy_cache_bypass",
		"proxy_no_cache", "proxy_cache_use_stale", "proxy_cache_lock", "proxy_cache_methods",
		"uwsgi_cache", "uwsgi_cache_path", "uwsgi_cache_valid", "uwsgi_cache_key", "fastcgi_cache",
		"fastcgi_cache_path", "fastcgi_cache_valid", "fastcgi_cache_key",
	}},
	{"response rates are not enforced locally", []string{
		"limit_rate", "limit_rate_after",
	}},
	{"not served yet: requests for this location answer 502 naming the directive", []string{
		"fastcgi_pass", "scgi_pass", "grpc_pass", "memcached_pass",
	}},
}

var reasonFor = func() map[string]string {
	m := map[string]string{}
	for _, r := range reasons {
		for _, n := range r.names {
			m[n] = r.why
		}
	}
	return m
}()

// report adds a directive Berth does not act on to the import report.
func (c *compiler) report(d *nginx.Directive) {
	if actedOn[d.Name] {
		return
	}
	c.ignored(d)
}

// ignoredGroup is one line of the report for a directive Berth does not
// act on: every use of that directive in one file, so a file of twenty
// fastcgi_param lines reads as one line, not twenty.
type ignoredGroup struct {
	first *nginx.Directive
	why   string
	lines []int
}

// ignored records a directive Berth does not act on, with the reason.
func (c *compiler) ignored(d *nginx.Directive) {
	key := d.Pos.File + "\x00" + d.Name
	if g := c.ignoredBy[key]; g != nil {
		g.lines = append(g.lines, d.Pos.Line)
		return
	}
	why, ok := reasonFor[d.Name]
	if !ok {
		switch {
		case strings.HasPrefix(d.Name, "fastcgi_"), strings.HasPrefix(d.Name, "scgi_"), strings.HasPrefix(d.Name, "grpc_"):
			why = "belongs to a handler Berth does not serve yet"
		default:
			why = "not acted on by this version of Berth"
		}
	}
	g := &ignoredGroup{first: d, why: why, lines: []int{d.Pos.Line}}
	if c.ignoredBy == nil {
		c.ignoredBy = map[string]*ignoredGroup{}
	}
	c.ignoredBy[key] = g
	c.ignoredOrder = append(c.ignoredOrder, g)
}

// flushIgnored appends the grouped ignored directives to the report.
func (c *compiler) flushIgnored() {
	for _, g := range c.ignoredOrder {
		msg := `"` + g.first.Name + `": ` + g.why
		if len(g.lines) > 1 {
			msg += fmt.Sprintf(" (%d uses in this file, lines %s)", len(g.lines), joinInts(g.lines))
		}
		c.t.Report = append(c.t.Report, nginx.Note{Pos: g.first.Pos, Severity: nginx.Info, Directive: g.first.Name, Msg: msg})
	}
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// note records something Berth does differently from nginx.
func (c *compiler) note(d *nginx.Directive, msg string) {
	c.t.Report = append(c.t.Report, nginx.Note{Pos: d.Pos, Severity: nginx.Warning, Directive: d.Name, Msg: msg})
}

// noteOnce records something Berth does differently about directive d,
// once however many locations inherit it.
func (c *compiler) noteOnce(d *nginx.Directive, msg string) {
	if c.noted[d] {
		return
	}
	if c.noted == nil {
		c.noted = map[*nginx.Directive]bool{}
	}
	c.noted[d] = true
	c.note(d, msg)
}
