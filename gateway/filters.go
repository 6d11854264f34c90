package gateway

import (
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The header filters nginx runs on every response it sends, in its order:
// charset, expires and add_header (ngx_http_charset_filter_module,
// ngx_http_headers_filter_module), and gzip, which also wraps the body.

// safeStatus are the statuses add_header (without always) and expires
// apply to.
func safeStatus(status int) bool {
	switch status {
	case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308:
		return true
	}
	return false
}

// headerFilter sets what the filters add to a response's headers. The
// Content-Type must already be set. up is the upstream's answer, nil when
// none was relayed or nothing reads it.
func (h *handler) headerFilter(w http.ResponseWriter, d *Decision, status int, up *upstreamSeen) {
	conf := filterConf(d)
	var late *lateValues // made only where a value reads the response
	if d.readsResponse() {
		late = &lateValues{d: d, resp: responseVars{status: status, sent: w.Header(), upstream: up}}
		if d.tried != nil {
			late.resp.tried = *d.tried
		}
	}
	if conf != nil {
		if status != 301 && status != 302 {
			// nginx names no charset on a redirect (old browsers would
			// use it for the next page).
			charsetFilter(w.Header(), conf)
		}
		if safeStatus(status) {
			expiresFilter(w.Header(), conf, time.Now(), late)
		}
	}
	for _, a := range d.AddHeaders {
		if !safeStatus(status) && !a.Always {
			continue
		}
		v := a.Value
		if a.late != "" {
			v = late.expand(a.late)
		}
		if v != "" {
			w.Header().Add(a.Name, v)
		}
	}
}

// lateValues evaluates what reads the response, as nginx's filters do
// once its head is known: the decision's variables with the response's,
// copied once for all the values of a response.
type lateValues struct {
	d    *Decision
	resp responseVars
	vars *reqVars // made on first use
}

func (l *lateValues) expand(s string) string {
	if l.vars == nil {
		v := reqVars{req: &Request{}} // a decision made without a request's variables
		if l.d.vars != nil {
			v = *l.d.vars
		}
		v.resp = &l.resp
		l.vars = &v
	}
	return l.vars.expand(s)
}

// defaultCharsetTypes is charset_types' default.
var defaultCharsetTypes = []string{"text/html", "text/xml", "text/plain", "text/vnd.wap.wml",
	"application/javascript", "application/rss+xml"}

// charsetFilter is `charset NAME`: it names the charset in a text
// Content-Type that has none.
func charsetFilter(hdr http.Header, conf *Conf) {
	cd := conf.Get("charset")
	if cd == nil || cd.Args[0] == "off" {
		return
	}
	ct := hdr.Get("Content-Type")
	if ct == "" || strings.Contains(strings.ToLower(ct), "charset") {
		return
	}
	types := defaultCharsetTypes
	if t := conf.Get("charset_types"); t != nil {
		types = t.Args
	}
	mime := strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	for _, t := range types {
		if t == "*" || t == mime {
			hdr.Set("Content-Type", ct+"; charset="+cd.Args[0])
			return
		}
	}
}

// expiresFilter is `expires [modified] TIME|epoch|max|off`; a value with
// variables (often a map of $sent_http_content_type) is evaluated by
// late as the response goes out.
func expiresFilter(hdr http.Header, conf *Conf, now time.Time, late *lateValues) {
	ed := conf.Get("expires")
	if ed == nil {
		return
	}
	args := ed.Args
	if n := len(args); hasVariables(args[n-1]) {
		args = append(args[:n-1:n-1], late.expand(args[n-1]))
	}
	base := now
	if args[0] == "modified" && len(args) > 1 {
		if lm, ok := ngxParseHTTPTime(hdr.Get("Last-Modified")); ok {
			base = time.Unix(lm, 0)
		}
		args = args[1:]
	}
	switch args[0] {
	case "off":
		return
	case "epoch":
		hdr.Set("Expires", "Thu, 01 Jan 1970 00:00:01 GMT")
		hdr.Set("Cache-Control", "no-cache")
		return
	case "max":
		hdr.Set("Expires", "Thu, 31 Dec 2037 23:55:55 GMT")
		hdr.Set("Cache-Control", "max-age=315360000")
		return
	}
	v, neg := args[0], false
	if strings.HasPrefix(v, "-") {
		v, neg = v[1:], true
	}
	d, err := ParseDuration(strings.TrimPrefix(v, "+"))
	if err != nil {
		return
	}
	if neg {
		d = -d
	}
	hdr.Set("Expires", base.Add(d).UTC().Format(http.TimeFormat))
	if d <= 0 {
		hdr.Set("Cache-Control", "no-cache")
		return
	}
	maxAge := int64(base.Add(d).Sub(now) / time.Second)
	hdr.Set("Cache-Control", "max-age="+strconv.FormatInt(maxAge, 10))
}

// gzipWriter compresses a response when nginx's gzip filter would
// (ngx_http_gzip_header_filter): gzip on, status 200/403/404, a type in
// gzip_types, a client that accepts gzip over HTTP/1.1, no Via header
// (gzip_proxied off), no Content-Encoding yet, and not too short.
type gzipWriter struct {
	http.ResponseWriter
	conf    *Conf
	req     *http.Request
	zw      *gzip.Writer
	decided bool
}

func newGzipWriter(w http.ResponseWriter, conf *Conf, req *http.Request) http.ResponseWriter {
	if conf == nil || !flag(conf, "gzip", false) || req.Method == "HEAD" || !acceptsGzip(req, conf) {
		return w
	}
	return &gzipWriter{ResponseWriter: w, conf: conf, req: req}
}

func acceptsGzip(req *http.Request, conf *Conf) bool {
	if req.Header.Get("Via") != "" {
		return false // gzip_proxied off
	}
	minVer := "1.1"
	if d := conf.Get("gzip_http_version"); d != nil {
		minVer = d.Args[0]
	}
	if minVer == "1.1" && !req.ProtoAtLeast(1, 1) {
		return false
	}
	for _, part := range strings.Split(req.Header.Get("Accept-Encoding"), ",") {
		f := strings.Fields(strings.ReplaceAll(part, ";", " "))
		if len(f) > 0 && strings.EqualFold(f[0], "gzip") && !strings.Contains(strings.ReplaceAll(part, " ", ""), "q=0") {
			return true
		}
	}
	return false
}

// compresses reports whether the gzip filter compresses a response of
// this status with the headers set so far.
func (g *gzipWriter) compresses(status int) bool {
	hdr := g.Header()
	return (status == 200 || status == 403 || status == 404) && hdr.Get("Content-Encoding") == "" &&
		gzipType(g.conf, hdr.Get("Content-Type")) && !tooShort(g.conf, hdr.Get("Content-Length"))
}

func (g *gzipWriter) WriteHeader(status int) {
	if !g.decided {
		g.decided = true
		hdr := g.Header()
		if g.compresses(status) {
			level := 1
			if d := g.conf.Get("gzip_comp_level"); d != nil {
				if n, err := strconv.Atoi(d.Args[0]); err == nil && n >= 1 && n <= 9 {
					level = n
				}
			}
			g.zw, _ = gzip.NewWriterLevel(g.ResponseWriter, level)
			g.zw.Header.OS = 3 // Unix, as zlib writes it for nginx
			hdr.Del("Content-Length")
			hdr.Set("Content-Encoding", "gzip")
			if flag(g.conf, "gzip_vary", false) {
				hdr.Add("Vary", "Accept-Encoding")
			}
			if et := hdr.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
				hdr.Set("ETag", "W/"+et)
			}
		}
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	if !g.decided {
		g.WriteHeader(200)
	}
	if g.zw == nil {
		return g.ResponseWriter.Write(p)
	}
	return g.zw.Write(p)
}

// Flush pushes what is compressed so far, so streamed replies stay live.
func (g *gzipWriter) Flush() {
	if g.zw != nil {
		g.zw.Flush()
	}
	http.NewResponseController(g.ResponseWriter).Flush()
}

// Close ends the compressed stream.
func (g *gzipWriter) Close() error {
	if g.zw != nil {
		return g.zw.Close()
	}
	return nil
}

func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func gzipType(conf *Conf, ct string) bool {
	mime := strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	types := []string{"text/html"}
	if d := conf.Get("gzip_types"); d != nil {
		types = append(types, d.Args...)
	}
	for _, t := range types {
		if t == "*" || t == mime {
			return true
		}
	}
	return false
}

func tooShort(conf *Conf, cl string) bool {
	n, err := strconv.ParseInt(cl, 10, 64)
	if err != nil {
		return false
	}
	min := int64(20)
	if d := conf.Get("gzip_min_length"); d != nil {
		if m, err := ParseSize(d.Args[0]); err == nil {
			min = m
		}
	}
	return n < min
}
