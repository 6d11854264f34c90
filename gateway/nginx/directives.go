package nginx

// directiveTable lists every directive of nginx 1.22.1 as Debian 12 builds
// it (`nginx -V`): the core, events and epoll, and every http module
// compiled in, plus the http modules Debian ships as loadable modules
// (geoip, image_filter, xslt, perl). For each: where it may appear, how
// many arguments it takes, whether it has a block, and whether its value
// is on/off. Rows are grouped by the nginx source file that defines them;
// where a name has several rows (server, error_log, keepalive_timeout...)
// their contexts do not overlap. Checked against `nginx -t` by
// TestDirectiveTableMatchesNginx.
var directiveTable = []spec{

	// ngx_core_module
	{"daemon", ctxMain, flag, onOff},
	{"master_process", ctxMain, flag, onOff},
	{"timer_resolution", ctxMain, take1, 0},
	{"pid", ctxMain, take1, 0},
	{"lock_file", ctxMain, take1, 0},
	{"worker_processes", ctxMain, take1, 0},
	{"debug_points", ctxMain, take1, 0},
	{"user", ctxMain, take12, 0},
	{"worker_priority", ctxMain, take1, 0},
	{"worker_cpu_affinity", ctxMain, more1, 0},
	{"worker_rlimit_nofile", ctxMain, take1, 0},
	{"worker_rlimit_core", ctxMain, take1, 0},
	{"worker_shutdown_timeout", ctxMain, take1, 0},
	{"working_directory", ctxMain, take1, 0},
	{"env", ctxMain, take1, 0},
	{"load_module", ctxMain, take1, 0},

	// ngx_log.c (error_log)
	{"error_log", ctxMain, more1, 0},

	// ngx_conf_file.c (include)
	{"include", ctxAny, take1, 0},

	// ngx_regex.c
	{"pcre_jit", ctxMain, flag, onOff},

	// ngx_thread_pool.c
	{"thread_pool", ctxMain, take23, 0},

	// ngx_event.c
	{"events", ctxMain, noArgs, isBlock},
	{"worker_connections", ctxEvents, take1, 0},
	{"use", ctxEvents, take1, 0},
	{"multi_accept", ctxEvents, flag, onOff},
	{"accept_mutex", ctxEvents, flag, onOff},
	{"accept_mutex_delay", ctxEvents, take1, 0},
	{"debug_connection", ctxEvents, take1, 0},

	// ngx_epoll_module
	{"epoll_events", ctxEvents, take1, 0},
	{"worker_aio_requests", ctxEvents, take1, 0},

	// ngx_event_openssl.c
	{"ssl_engine", ctxMain, take1, 0},

	// ngx_http.c
	{"http", ctxMain, noArgs, isBlock},

	// ngx_http_core_module
	{"variables_hash_max_size", ctxHTTP, take1, 0},
	{"variables_hash_bucket_size", ctxHTTP, take1, 0},
	{"server_names_hash_max_size", ctxHTTP, take1, 0},
	{"server_names_hash_bucket_size", ctxHTTP, take1, 0},
	{"server", ctxHTTP, noArgs, isBlock},
	{"connection_pool_size", ctxHTTP | ctxServer, take1, 0},
	{"request_pool_size", ctxHTTP | ctxServer, take1, 0},
	{"client_header_timeout", ctxHTTP | ctxServer, take1, 0},
	{"client_header_buffer_size", ctxHTTP | ctxServer, take1, 0},
	{"large_client_header_buffers", ctxHTTP | ctxServer, take2, 0},
	{"ignore_invalid_headers", ctxHTTP | ctxServer, flag, onOff},
	{"merge_slashes", ctxHTTP | ctxServer, flag, onOff},
	{"underscores_in_headers", ctxHTTP | ctxServer, flag, onOff},
	{"location", ctxServer | ctxLocation, take12, isBlock},
	{"listen", ctxServer, more1, 0},
	{"server_name", ctxServer, more1, 0},
	{"types_hash_max_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"types_hash_bucket_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"types", ctxHTTP | ctxServer | ctxLocation, noArgs, isBlock},
	{"default_type", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"root", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, take1, 0},
	{"alias", ctxLocation, take1, 0},
	{"limit_except", ctxLocation, more1, isBlock},
	{"client_max_body_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"client_body_buffer_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"client_body_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"client_body_temp_path", ctxHTTP | ctxServer | ctxLocation, take1234, 0},
	{"client_body_in_file_only", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"client_body_in_single_buffer", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"sendfile", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, flag, onOff},
	{"sendfile_max_chunk", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"subrequest_output_buffer_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"aio", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"aio_write", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"read_ahead", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"directio", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"directio_alignment", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"tcp_nopush", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"tcp_nodelay", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"send_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"send_lowat", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"postpone_output", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"limit_rate", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, take1, 0},
	{"limit_rate_after", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, take1, 0},
	{"keepalive_time", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"keepalive_timeout", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"keepalive_requests", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"keepalive_disable", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"satisfy", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"auth_delay", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"internal", ctxLocation, noArgs, 0},
	{"lingering_close", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"lingering_time", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"lingering_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"reset_timedout_connection", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"absolute_redirect", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"server_name_in_redirect", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"port_in_redirect", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"msie_padding", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"msie_refresh", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"log_not_found", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"log_subrequest", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"recursive_error_pages", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"server_tokens", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"if_modified_since", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"max_ranges", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"chunked_transfer_encoding", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"etag", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"error_page", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, more2, 0},
	{"post_action", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, take1, 0},
	{"error_log", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"open_file_cache", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"open_file_cache_valid", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"open_file_cache_min_uses", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"open_file_cache_errors", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"open_file_cache_events", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"resolver", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"resolver_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"gzip_vary", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"gzip_http_version", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"gzip_proxied", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"gzip_disable", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"disable_symlinks", ctxHTTP | ctxServer | ctxLocation, take12, 0},

	// ngx_http_upstream.c
	{"upstream", ctxHTTP, take1, isBlock},
	{"server", ctxUpstream, more1, 0},

	// ngx_http_v2_module
	{"http2_recv_buffer_size", ctxHTTP, take1, 0},
	{"http2_pool_size", ctxHTTP | ctxServer, take1, 0},
	{"http2_max_concurrent_streams", ctxHTTP | ctxServer, take1, 0},
	{"http2_max_concurrent_pushes", ctxHTTP | ctxServer, take1, 0},
	{"http2_max_requests", ctxHTTP | ctxServer, take1, 0},
	{"http2_max_field_size", ctxHTTP | ctxServer, take1, 0},
	{"http2_max_header_size", ctxHTTP | ctxServer, take1, 0},
	{"http2_body_preread_size", ctxHTTP | ctxServer, take1, 0},
	{"http2_streams_index_size", ctxHTTP | ctxServer, take1, 0},
	{"http2_recv_timeout", ctxHTTP | ctxServer, take1, 0},
	{"http2_idle_timeout", ctxHTTP | ctxServer, take1, 0},
	{"http2_chunk_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"http2_push_preload", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"http2_push", ctxHTTP | ctxServer | ctxLocation, take1, 0},

	// ngx_http_access_module
	{"allow", ctxHTTP | ctxServer | ctxLocation | ctxLimitExcept, take1, 0},
	{"deny", ctxHTTP | ctxServer | ctxLocation | ctxLimitExcept, take1, 0},

	// ngx_http_addition_filter_module
	{"add_before_body", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"add_after_body", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"addition_types", ctxHTTP | ctxServer | ctxLocation, more1, 0},

	// ngx_http_auth_basic_module
	{"auth_basic", ctxHTTP | ctxServer | ctxLocation | ctxLimitExcept, take1, 0},
	{"auth_basic_user_file", ctxHTTP | ctxServer | ctxLocation | ctxLimitExcept, take1, 0},

	// ngx_http_auth_request_module
	{"auth_request", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"auth_request_set", ctxHTTP | ctxServer | ctxLocation, take2, 0},

	// ngx_http_autoindex_module
	{"autoindex", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"autoindex_format", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"autoindex_localtime", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"autoindex_exact_size", ctxHTTP | ctxServer | ctxLocation, flag, onOff},

	// ngx_http_browser_module
	{"modern_browser", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"ancient_browser", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"modern_browser_value", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"ancient_browser_value", ctxHTTP | ctxServer | ctxLocation, take1, 0},

	// ngx_http_charset_filter_module
	{"charset", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, take1, 0},
	{"source_charset", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, take1, 0},
	{"override_charset", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, flag, onOff},
	{"charset_types", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"charset_map", ctxHTTP, take2, isBlock},

	// ngx_http_dav_module
	{"dav_methods", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"create_full_put_path", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"min_delete_depth", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"dav_access", ctxHTTP | ctxServer | ctxLocation, take123, 0},

	// ngx_http_empty_gif_module
	{"empty_gif", ctxLocation, noArgs, 0},

	// ngx_http_fastcgi_module
	{"fastcgi_pass", ctxLocation | ctxIfLocation, take1, 0},
	{"fastcgi_index", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_split_path_info", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_store", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_store_access", ctxHTTP | ctxServer | ctxLocation, take123, 0},
	{"fastcgi_buffering", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_request_buffering", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_ignore_client_abort", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_bind", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"fastcgi_socket_keepalive", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_connect_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_send_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_send_lowat", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_buffer_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_pass_request_headers", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_pass_request_body", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_intercept_errors", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_read_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_buffers", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"fastcgi_busy_buffers_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_force_ranges", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_limit_rate", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_cache", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_cache_key", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_cache_path", ctxHTTP, more2, 0},
	{"fastcgi_cache_bypass", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"fastcgi_no_cache", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"fastcgi_cache_valid", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"fastcgi_cache_min_uses", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_cache_max_range_offset", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_cache_use_stale", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"fastcgi_cache_methods", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"fastcgi_cache_lock", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_cache_lock_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_cache_lock_age", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_cache_revalidate", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_cache_background_update", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"fastcgi_temp_path", ctxHTTP | ctxServer | ctxLocation, take1234, 0},
	{"fastcgi_max_temp_file_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_temp_file_write_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_next_upstream", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"fastcgi_next_upstream_tries", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_next_upstream_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_param", ctxHTTP | ctxServer | ctxLocation, take23, 0},
	{"fastcgi_pass_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_hide_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_ignore_headers", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"fastcgi_catch_stderr", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"fastcgi_keep_conn", ctxHTTP | ctxServer | ctxLocation, flag, onOff},

	// ngx_http_flv_module
	{"flv", ctxLocation, noArgs, 0},

	// ngx_http_geo_module
	{"geo", ctxHTTP, take12, isBlock},

	// ngx_http_geoip_module (dynamic module, loaded with load_module)
	{"geoip_country", ctxHTTP, take12, 0},
	{"geoip_org", ctxHTTP, take12, 0},
	{"geoip_city", ctxHTTP, take12, 0},
	{"geoip_proxy", ctxHTTP, take1, 0},
	{"geoip_proxy_recursive", ctxHTTP, flag, onOff},

	// ngx_http_grpc_module
	{"grpc_pass", ctxLocation | ctxIfLocation, take1, 0},
	{"grpc_bind", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"grpc_socket_keepalive", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"grpc_connect_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_send_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_intercept_errors", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"grpc_buffer_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_read_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_next_upstream", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"grpc_next_upstream_tries", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_next_upstream_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_set_header", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"grpc_pass_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_hide_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_ignore_headers", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"grpc_ssl_session_reuse", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"grpc_ssl_protocols", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"grpc_ssl_ciphers", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_ssl_name", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_ssl_server_name", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"grpc_ssl_verify", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"grpc_ssl_verify_depth", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_ssl_trusted_certificate", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_ssl_crl", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_ssl_certificate", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_ssl_certificate_key", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_ssl_password_file", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"grpc_ssl_conf_command", ctxHTTP | ctxServer | ctxLocation, take2, 0},

	// ngx_http_gunzip_filter_module
	{"gunzip", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"gunzip_buffers", ctxHTTP | ctxServer | ctxLocation, take2, 0},

	// ngx_http_gzip_filter_module
	{"gzip", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, flag, onOff},
	{"gzip_buffers", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"gzip_types", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"gzip_comp_level", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"gzip_window", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"gzip_hash", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"postpone_gzipping", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"gzip_no_buffer", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"gzip_min_length", ctxHTTP | ctxServer | ctxLocation, take1, 0},

	// ngx_http_gzip_static_module
	{"gzip_static", ctxHTTP | ctxServer | ctxLocation, take1, 0},

	// ngx_http_headers_filter_module
	{"expires", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, take12, 0},
	{"add_header", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, take23, 0},
	{"add_trailer", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, take23, 0},

	// ngx_http_image_filter_module (dynamic module, loaded with load_module)
	{"image_filter", ctxLocation, take123, 0},
	{"image_filter_jpeg_quality", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"image_filter_webp_quality", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"image_filter_sharpen", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"image_filter_transparency", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"image_filter_interlace", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"image_filter_buffer", ctxHTTP | ctxServer | ctxLocation, take1, 0},

	// ngx_http_index_module
	{"index", ctxHTTP | ctxServer | ctxLocation, more1, 0},

	// ngx_http_limit_conn_module
	{"limit_conn_zone", ctxHTTP, take2, 0},
	{"limit_conn", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"limit_conn_log_level", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"limit_conn_status", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"limit_conn_dry_run", ctxHTTP | ctxServer | ctxLocation, flag, onOff},

	// ngx_http_limit_req_module
	{"limit_req_zone", ctxHTTP, take3, 0},
	{"limit_req", ctxHTTP | ctxServer | ctxLocation, take123, 0},
	{"limit_req_log_level", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"limit_req_status", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"limit_req_dry_run", ctxHTTP | ctxServer | ctxLocation, flag, onOff},

	// ngx_http_log_module
	{"log_format", ctxHTTP, more2, 0},
	{"access_log", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation | ctxLimitExcept, more1, 0},
	{"open_log_file_cache", ctxHTTP | ctxServer | ctxLocation, take1234, 0},

	// ngx_http_map_module
	{"map", ctxHTTP, take2, isBlock},
	{"map_hash_max_size", ctxHTTP, take1, 0},
	{"map_hash_bucket_size", ctxHTTP, take1, 0},

	// ngx_http_memcached_module
	{"memcached_pass", ctxLocation | ctxIfLocation, take1, 0},
	{"memcached_bind", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"memcached_socket_keepalive", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"memcached_connect_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"memcached_send_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"memcached_buffer_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"memcached_read_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"memcached_next_upstream", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"memcached_next_upstream_tries", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"memcached_next_upstream_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"memcached_gzip_flag", ctxHTTP | ctxServer | ctxLocation, take1, 0},

	// ngx_http_mirror_module
	{"mirror", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"mirror_request_body", ctxHTTP | ctxServer | ctxLocation, flag, onOff},

	// ngx_http_mp4_module
	{"mp4", ctxLocation, noArgs, 0},
	{"mp4_buffer_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"mp4_max_buffer_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"mp4_start_key_frame", ctxHTTP | ctxServer | ctxLocation, flag, onOff},

	// ngx_http_proxy_module
	{"proxy_pass", ctxLocation | ctxIfLocation | ctxLimitExcept, take1, 0},
	{"proxy_redirect", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"proxy_cookie_domain", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"proxy_cookie_path", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"proxy_cookie_flags", ctxHTTP | ctxServer | ctxLocation, take1234, 0},
	{"proxy_store", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_store_access", ctxHTTP | ctxServer | ctxLocation, take123, 0},
	{"proxy_buffering", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_request_buffering", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_ignore_client_abort", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_bind", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"proxy_socket_keepalive", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_connect_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_send_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_send_lowat", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_intercept_errors", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_set_header", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"proxy_headers_hash_max_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_headers_hash_bucket_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_set_body", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_method", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_pass_request_headers", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_pass_request_body", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_buffer_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_read_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_buffers", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"proxy_busy_buffers_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_force_ranges", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_limit_rate", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_cache", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_cache_key", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_cache_path", ctxHTTP, more2, 0},
	{"proxy_cache_bypass", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"proxy_no_cache", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"proxy_cache_valid", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"proxy_cache_min_uses", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_cache_max_range_offset", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_cache_use_stale", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"proxy_cache_methods", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"proxy_cache_lock", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_cache_lock_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_cache_lock_age", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_cache_revalidate", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_cache_convert_head", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_cache_background_update", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_temp_path", ctxHTTP | ctxServer | ctxLocation, take1234, 0},
	{"proxy_max_temp_file_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_temp_file_write_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_next_upstream", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"proxy_next_upstream_tries", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_next_upstream_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_pass_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_hide_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_ignore_headers", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"proxy_http_version", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_ssl_session_reuse", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_ssl_protocols", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"proxy_ssl_ciphers", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_ssl_name", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_ssl_server_name", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_ssl_verify", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"proxy_ssl_verify_depth", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_ssl_trusted_certificate", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_ssl_crl", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_ssl_certificate", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_ssl_certificate_key", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_ssl_password_file", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"proxy_ssl_conf_command", ctxHTTP | ctxServer | ctxLocation, take2, 0},

	// ngx_http_random_index_module
	{"random_index", ctxLocation, flag, onOff},

	// ngx_http_realip_module
	{"set_real_ip_from", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"real_ip_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"real_ip_recursive", ctxHTTP | ctxServer | ctxLocation, flag, onOff},

	// ngx_http_referer_module
	{"valid_referers", ctxServer | ctxLocation, more1, 0},
	{"referer_hash_max_size", ctxServer | ctxLocation, take1, 0},
	{"referer_hash_bucket_size", ctxServer | ctxLocation, take1, 0},

	// ngx_http_rewrite_module
	{"rewrite", ctxServer | ctxIfServer | ctxLocation | ctxIfLocation, take23, 0},
	{"return", ctxServer | ctxIfServer | ctxLocation | ctxIfLocation, take12, 0},
	{"break", ctxServer | ctxIfServer | ctxLocation | ctxIfLocation, noArgs, 0},
	{"if", ctxServer | ctxLocation, more1, isBlock},
	{"set", ctxServer | ctxIfServer | ctxLocation | ctxIfLocation, take2, 0},
	{"rewrite_log", ctxHTTP | ctxServer | ctxIfServer | ctxLocation | ctxIfLocation, flag, onOff},
	{"uninitialized_variable_warn", ctxHTTP | ctxServer | ctxIfServer | ctxLocation | ctxIfLocation, flag, onOff},

	// ngx_http_scgi_module
	{"scgi_pass", ctxLocation | ctxIfLocation, take1, 0},
	{"scgi_store", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_store_access", ctxHTTP | ctxServer | ctxLocation, take123, 0},
	{"scgi_buffering", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_request_buffering", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_ignore_client_abort", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_bind", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"scgi_socket_keepalive", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_connect_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_send_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_buffer_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_pass_request_headers", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_pass_request_body", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_intercept_errors", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_read_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_buffers", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"scgi_busy_buffers_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_force_ranges", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_limit_rate", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_cache", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_cache_key", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_cache_path", ctxHTTP, more2, 0},
	{"scgi_cache_bypass", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"scgi_no_cache", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"scgi_cache_valid", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"scgi_cache_min_uses", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_cache_max_range_offset", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_cache_use_stale", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"scgi_cache_methods", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"scgi_cache_lock", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_cache_lock_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_cache_lock_age", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_cache_revalidate", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_cache_background_update", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"scgi_temp_path", ctxHTTP | ctxServer | ctxLocation, take1234, 0},
	{"scgi_max_temp_file_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_temp_file_write_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_next_upstream", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"scgi_next_upstream_tries", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_next_upstream_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_param", ctxHTTP | ctxServer | ctxLocation, take23, 0},
	{"scgi_pass_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_hide_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"scgi_ignore_headers", ctxHTTP | ctxServer | ctxLocation, more1, 0},

	// ngx_http_secure_link_module
	{"secure_link", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"secure_link_md5", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"secure_link_secret", ctxHTTP | ctxServer | ctxLocation, take1, 0},

	// ngx_http_slice_filter_module
	{"slice", ctxHTTP | ctxServer | ctxLocation, take1, 0},

	// ngx_http_split_clients_module
	{"split_clients", ctxHTTP, take2, isBlock},

	// ngx_http_ssi_filter_module
	{"ssi", ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, flag, onOff},
	{"ssi_silent_errors", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"ssi_ignore_recycled_buffers", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"ssi_min_file_chunk", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"ssi_value_length", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"ssi_types", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"ssi_last_modified", ctxHTTP | ctxServer | ctxLocation, flag, onOff},

	// ngx_http_ssl_module
	{"ssl", ctxHTTP | ctxServer, flag, onOff},
	{"ssl_certificate", ctxHTTP | ctxServer, take1, 0},
	{"ssl_certificate_key", ctxHTTP | ctxServer, take1, 0},
	{"ssl_password_file", ctxHTTP | ctxServer, take1, 0},
	{"ssl_dhparam", ctxHTTP | ctxServer, take1, 0},
	{"ssl_ecdh_curve", ctxHTTP | ctxServer, take1, 0},
	{"ssl_protocols", ctxHTTP | ctxServer, more1, 0},
	{"ssl_ciphers", ctxHTTP | ctxServer, take1, 0},
	{"ssl_buffer_size", ctxHTTP | ctxServer, take1, 0},
	{"ssl_verify_client", ctxHTTP | ctxServer, take1, 0},
	{"ssl_verify_depth", ctxHTTP | ctxServer, take1, 0},
	{"ssl_client_certificate", ctxHTTP | ctxServer, take1, 0},
	{"ssl_trusted_certificate", ctxHTTP | ctxServer, take1, 0},
	{"ssl_prefer_server_ciphers", ctxHTTP | ctxServer, flag, onOff},
	{"ssl_session_cache", ctxHTTP | ctxServer, take12, 0},
	{"ssl_session_tickets", ctxHTTP | ctxServer, flag, onOff},
	{"ssl_session_ticket_key", ctxHTTP | ctxServer, take1, 0},
	{"ssl_session_timeout", ctxHTTP | ctxServer, take1, 0},
	{"ssl_crl", ctxHTTP | ctxServer, take1, 0},
	{"ssl_ocsp", ctxHTTP | ctxServer, flag, 0},
	{"ssl_ocsp_responder", ctxHTTP | ctxServer, take1, 0},
	{"ssl_ocsp_cache", ctxHTTP | ctxServer, take1, 0},
	{"ssl_stapling", ctxHTTP | ctxServer, flag, onOff},
	{"ssl_stapling_file", ctxHTTP | ctxServer, take1, 0},
	{"ssl_stapling_responder", ctxHTTP | ctxServer, take1, 0},
	{"ssl_stapling_verify", ctxHTTP | ctxServer, flag, onOff},
	{"ssl_early_data", ctxHTTP | ctxServer, flag, onOff},
	{"ssl_conf_command", ctxHTTP | ctxServer, take2, 0},
	{"ssl_reject_handshake", ctxHTTP | ctxServer, flag, onOff},

	// ngx_http_stub_status_module
	{"stub_status", ctxServer | ctxLocation, noArgs | take1, 0},

	// ngx_http_sub_filter_module
	{"sub_filter", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"sub_filter_types", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"sub_filter_once", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"sub_filter_last_modified", ctxHTTP | ctxServer | ctxLocation, flag, onOff},

	// ngx_http_try_files_module
	{"try_files", ctxServer | ctxLocation, more2, 0},

	// ngx_http_upstream_hash_module
	{"hash", ctxUpstream, take12, 0},

	// ngx_http_upstream_ip_hash_module
	{"ip_hash", ctxUpstream, noArgs, 0},

	// ngx_http_upstream_keepalive_module
	{"keepalive", ctxUpstream, take1, 0},
	{"keepalive_time", ctxUpstream, take1, 0},
	{"keepalive_timeout", ctxUpstream, take1, 0},
	{"keepalive_requests", ctxUpstream, take1, 0},

	// ngx_http_upstream_least_conn_module
	{"least_conn", ctxUpstream, noArgs, 0},

	// ngx_http_upstream_random_module
	{"random", ctxUpstream, noArgs | take12, 0},

	// ngx_http_upstream_zone_module
	{"zone", ctxUpstream, take12, 0},

	// ngx_http_userid_filter_module
	{"userid", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"userid_service", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"userid_name", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"userid_domain", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"userid_path", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"userid_expires", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"userid_flags", ctxHTTP | ctxServer | ctxLocation, take123, 0},
	{"userid_p3p", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"userid_mark", ctxHTTP | ctxServer | ctxLocation, take1, 0},

	// ngx_http_uwsgi_module
	{"uwsgi_pass", ctxLocation | ctxIfLocation, take1, 0},
	{"uwsgi_modifier1", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_modifier2", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_store", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_store_access", ctxHTTP | ctxServer | ctxLocation, take123, 0},
	{"uwsgi_buffering", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_request_buffering", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_ignore_client_abort", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_bind", ctxHTTP | ctxServer | ctxLocation, take12, 0},
	{"uwsgi_socket_keepalive", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_connect_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_send_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_buffer_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_pass_request_headers", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_pass_request_body", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_intercept_errors", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_read_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_buffers", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"uwsgi_busy_buffers_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_force_ranges", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_limit_rate", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_cache", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_cache_key", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_cache_path", ctxHTTP, more2, 0},
	{"uwsgi_cache_bypass", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"uwsgi_no_cache", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"uwsgi_cache_valid", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"uwsgi_cache_min_uses", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_cache_max_range_offset", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_cache_use_stale", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"uwsgi_cache_methods", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"uwsgi_cache_lock", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_cache_lock_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_cache_lock_age", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_cache_revalidate", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_cache_background_update", ctxHTTP | ctxServer | ctxLocation, take1, onOff},
	{"uwsgi_temp_path", ctxHTTP | ctxServer | ctxLocation, take1234, 0},
	{"uwsgi_max_temp_file_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_temp_file_write_size", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_next_upstream", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"uwsgi_next_upstream_tries", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_next_upstream_timeout", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_param", ctxHTTP | ctxServer | ctxLocation, take23, 0},
	{"uwsgi_string", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_pass_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_hide_header", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_ignore_headers", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"uwsgi_ssl_session_reuse", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_ssl_protocols", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"uwsgi_ssl_ciphers", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_ssl_name", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_ssl_server_name", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_ssl_verify", ctxHTTP | ctxServer | ctxLocation, flag, onOff},
	{"uwsgi_ssl_verify_depth", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_ssl_trusted_certificate", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_ssl_crl", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_ssl_certificate", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_ssl_certificate_key", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_ssl_password_file", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"uwsgi_ssl_conf_command", ctxHTTP | ctxServer | ctxLocation, take2, 0},

	// ngx_http_xslt_filter_module (dynamic module, loaded with load_module)
	{"xml_entities", ctxHTTP | ctxServer | ctxLocation, take1, 0},
	{"xslt_stylesheet", ctxLocation, more1, 0},
	{"xslt_param", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"xslt_string_param", ctxHTTP | ctxServer | ctxLocation, take2, 0},
	{"xslt_types", ctxHTTP | ctxServer | ctxLocation, more1, 0},
	{"xslt_last_modified", ctxHTTP | ctxServer | ctxLocation, flag, onOff},

	// ngx_http_perl_module (dynamic module, loaded with load_module)
	{"perl_modules", ctxHTTP, take1, 0},
	{"perl_require", ctxHTTP, take1, 0},
	{"perl", ctxLocation | ctxLimitExcept, take1, 0},
	{"perl_set", ctxHTTP, take2, 0},

	// stream and mail are loadable modules Berth does not serve: their
	// blocks are kept as they are, unchecked.
	{"stream", ctxMain, noArgs, isBlock},
	{"mail", ctxMain, noArgs, isBlock},
}
