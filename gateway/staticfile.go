package gateway

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/resources"
)

// serveFile sends the static file a Decision names, with nginx's
// Content-Type from the config's types (or mime.types) and, for a 200,
// ranges and conditional requests.
func (h *handler) serveFile(w http.ResponseWriter, req *http.Request, d *Decision) {
	name, precompressed := d.File, false
	if gz := d.File + ".gz"; gzipStatic(d.Conf, req) {
		if _, err := os.Stat(gz); err == nil {
			// gzip_static: the precompressed file, which nginx 1.22
			// serves without ranges.
			name, precompressed = gz, true
			w.Header().Set("Content-Encoding", "gzip")
		}
	}
	f, err := os.Open(name)
	if err != nil {
		h.respond(w, req, d, 404)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		h.respond(w, req, d, 404)
		return
	}
	etag := etagFor(d.Conf, info)
	cond, status := 0, d.FileStatus
	if status == http.StatusOK || status == http.StatusNotModified {
		// Decided again on the file served: it may have changed since
		// Match, or be gzip_static's.
		status = http.StatusOK
		cond = notModified(requestHeader(req), info.ModTime(), etag, ifModifiedSince(d.Conf))
	}
	if cond == http.StatusPreconditionFailed {
		h.respond(w, req, d, cond) // nginx's page, as a filter finalizes with it
		return
	}
	if w.Header().Get("Content-Type") == "" {
		// Only when none is set (ngx_http_set_content_type): after an
		// X-Accel-Redirect the upstream's own stays.
		// By the URI's extension (r->exten), not the file's: an alias
		// may name a file of another.
		w.Header().Set("Content-Type", contentType(d.Conf, d.URI))
	}
	w.Header().Set("Server", h.serverHeader(d))
	if etag != "" {
		w.Header().Set("ETag", etag)
	}
	h.headerFilter(w, d, status, nil)
	if status == http.StatusOK {
		if cond == http.StatusNotModified {
			hdr := w.Header()
			hdr.Del("Content-Type")
			hdr.Del("Content-Encoding")
			hdr.Set("Last-Modified", info.ModTime().UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.sendFileRanges(w, req, d, f, info, etag, precompressed)
		return
	}
	w.Header().Set("Content-Length", strconv.FormatInt(info.Size(), 10))
	w.WriteHeader(d.FileStatus)
	if req.Method != "HEAD" {
		io.Copy(w, f)
	}
}

// sendFileRanges sends a static file's 200 through nginx's range filter:
// the whole file (offering ranges unless gzip or max_ranges 0 rules
// them out), one range (206 with Content-Range), several (206
// multipart/byteranges), or 416 with nginx's page when none is
// satisfiable.
func (h *handler) sendFileRanges(w http.ResponseWriter, req *http.Request, d *Decision, f *os.File, info fs.FileInfo, etag string, precompressed bool) {
	hdr, size := w.Header(), info.Size()
	hdr.Set("Last-Modified", info.ModTime().UTC().Format(http.TimeFormat))
	hdr.Set("Content-Length", strconv.FormatInt(size, 10))
	gz, gzipping := w.(*gzipWriter)
	gzipping = gzipping && gz.compresses(http.StatusOK)
	ranges, verdict, offered := fileRanges(req, d.Conf, etag, info.ModTime(), size, gzipping || precompressed)
	head := req.Method == "HEAD"
	switch {
	case verdict == rangeUnsatisfiable:
		// ngx_http_range_not_satisfiable finalizes with 416: nginx's
		// page, the header filters run again (an add_header ... always
		// is sent twice, as nginx sends it).
		for _, k := range []string{"ETag", "Last-Modified", "Content-Encoding"} {
			hdr.Del(k)
		}
		hdr.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
		h.respond(w, req, d, http.StatusRequestedRangeNotSatisfiable)
	case verdict == rangeParts && len(ranges) == 1:
		r := ranges[0]
		hdr.Set("Content-Range", "bytes "+strconv.FormatInt(r.start, 10)+"-"+strconv.FormatInt(r.end-1, 10)+"/"+strconv.FormatInt(size, 10))
		hdr.Set("Content-Length", strconv.FormatInt(r.end-r.start, 10))
		w.WriteHeader(http.StatusPartialContent)
		if !head {
			io.Copy(w, io.NewSectionReader(f, r.start, r.end-r.start))
		}
	case verdict == rangeParts:
		boundary := fmt.Sprintf("%020d", h.g.tempNumber.Add(1))
		parts, closing := multipartRanges(ranges, size, hdr.Get("Content-Type"), boundary)
		length := int64(len(closing))
		for i, r := range ranges {
			length += int64(len(parts[i])) + r.end - r.start
		}
		hdr.Set("Content-Type", "multipart/byteranges; boundary="+boundary)
		hdr.Set("Content-Length", strconv.FormatInt(length, 10))
		w.WriteHeader(http.StatusPartialContent)
		if !head {
			for i, r := range ranges {
				io.WriteString(w, parts[i])
				io.Copy(w, io.NewSectionReader(f, r.start, r.end-r.start))
			}
			io.WriteString(w, closing)
		}
	default:
		if offered {
			hdr.Set("Accept-Ranges", "bytes")
		}
		w.WriteHeader(http.StatusOK)
		if !head {
			io.Copy(w, f)
		}
	}
}

// multipartRanges are the heads of a multipart/byteranges body's parts
// and its closing line, as ngx_http_range_multipart_header writes them
// (the boundary is nginx's temp number, twenty digits).
func multipartRanges(ranges []byteRange, size int64, ctype, b string) (parts []string, closing string) {
	head := "\r\n--" + b + "\r\n"
	if ctype != "" {
		head += "Content-Type: " + ctype + "\r\n"
	}
	head += "Content-Range: bytes "
	for _, r := range ranges {
		parts = append(parts, head+strconv.FormatInt(r.start, 10)+"-"+strconv.FormatInt(r.end-1, 10)+"/"+strconv.FormatInt(size, 10)+"\r\n\r\n")
	}
	return parts, "\r\n--" + b + "--\r\n"
}

// contentType maps a file's extension through the `types` blocks in
// effect, else Debian's mime.types, else default_type.
func contentType(c *Conf, file string) string {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(file), "."))
	if c != nil {
		if blocks := c.List("types"); len(blocks) > 0 {
			for _, b := range blocks {
				for _, e := range b.Block {
					for _, x := range e.Args {
						if strings.EqualFold(x, ext) {
							return e.Name
						}
					}
				}
			}
			return defaultTypeOf(c)
		}
	}
	if t, ok := standardTypes()[ext]; ok && ext != "" {
		return t
	}
	return defaultTypeOf(c)
}

func defaultTypeOf(c *Conf) string {
	if c != nil {
		if d := c.Get("default_type"); d != nil {
			return d.Args[0]
		}
	}
	return "text/plain"
}

// standardTypes is Debian's mime.types, read once from resources.
var standardTypes = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	f, err := resources.StandardNginxFiles().Open("mime.types")
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimSuffix(strings.TrimSpace(sc.Text()), ";"))
		if len(fields) < 2 || strings.ContainsAny(fields[0], "{}") {
			continue
		}
		for _, ext := range fields[1:] {
			if _, dup := m[ext]; !dup {
				m[ext] = fields[0]
			}
		}
	}
	return m
})

// gzipStatic reports whether gzip_static may send a precompressed file:
// it is on and the client takes gzip.
func gzipStatic(c *Conf, req *http.Request) bool {
	if c == nil {
		return false
	}
	gs := c.Get("gzip_static")
	if gs == nil || gs.Args[0] == "off" {
		return false
	}
	return gs.Args[0] == "always" || acceptsGzip(req, c)
}

// etagFor is nginx's ETag for a file, its modification time and size in
// hex (ngx_http_set_etag); "" with `etag off`.
func etagFor(c *Conf, info fs.FileInfo) string {
	if !flag(c, "etag", true) {
		return ""
	}
	return `"` + strconv.FormatInt(info.ModTime().Unix(), 16) + "-" + strconv.FormatInt(info.Size(), 16) + `"`
}

// requestHeader reads the first value of a request header.
func requestHeader(req *http.Request) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := req.Header[name]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
}

// conditionalHeaders are those the not-modified filter decides on.
var conditionalHeaders = []string{"If-Modified-Since", "If-Unmodified-Since", "If-None-Match", "If-Match"}

// ifModifiedSince is the if_modified_since setting: "exact" (nginx's
// default), "before" or "off".
func ifModifiedSince(c *Conf) string {
	if d := c.Get("if_modified_since"); d != nil {
		return d.Args[0]
	}
	return "exact"
}

// notModified is ngx_http_not_modified_header_filter for a file about to
// be sent 200: 412 when If-Unmodified-Since or If-Match fails, 304 when
// If-Modified-Since and If-None-Match (those present) agree it is
// unchanged, 0 to send it.
func notModified(header func(string) (string, bool), mtime time.Time, etag, ims string) int {
	lm := mtime.Unix()
	if v, ok := header("If-Unmodified-Since"); ok {
		if t, ok := ngxParseHTTPTime(v); !ok || t < lm {
			return http.StatusPreconditionFailed
		}
	}
	if v, ok := header("If-Match"); ok && !etagListed(v, etag, false) {
		return http.StatusPreconditionFailed
	}
	v, hasIMS := header("If-Modified-Since")
	inm, hasINM := header("If-None-Match")
	if !hasIMS && !hasINM {
		return 0
	}
	if hasIMS {
		t, ok := ngxParseHTTPTime(v)
		switch {
		case ims == "off":
			return 0
		case ok && t == lm:
		case ims == "exact" || !ok || t < lm:
			return 0
		}
	}
	if hasINM && !etagListed(inm, etag, true) {
		return 0
	}
	return http.StatusNotModified
}

// etagListed is ngx_http_test_if_match: "*", or etag among the list's
// entries; weak comparison ignores W/ on both sides.
func etagListed(list, etag string, weak bool) bool {
	if list == "*" {
		return true
	}
	if etag == "" {
		return false
	}
	if weak {
		etag = strings.TrimPrefix(etag, "W/")
	}
	for _, e := range strings.Split(list, ",") {
		e = strings.Trim(e, " \t")
		if weak {
			e = strings.TrimPrefix(e, "W/")
		}
		if e == etag {
			return true
		}
	}
	return false
}
