package gateway

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/berth-dev/berth/resources"
)

// serveFile sends the static file a Decision names, with nginx's
// Content-Type from the config's types (or mime.types) and, for a 200,
// ranges and conditional requests.
func (h *handler) serveFile(w http.ResponseWriter, req *http.Request, d *Decision) {
	name := d.File
	if gz := d.File + ".gz"; gzipStatic(d.Conf, req) {
		if _, err := os.Stat(gz); err == nil {
			name = gz // gzip_static: the precompressed file
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
	if w.Header().Get("Content-Type") == "" {
		// Only when none is set (ngx_http_set_content_type): after an
		// X-Accel-Redirect the upstream's own stays.
		w.Header().Set("Content-Type", contentType(d.Conf, d.File))
	}
	w.Header().Set("Server", "nginx/"+h.g.opts.Version.OrDefault().String())
	h.headerFilter(w, d, d.FileStatus, nil)
	if d.FileStatus == 200 {
		http.ServeContent(w, req, "", info.ModTime(), f)
		return
	}
	w.Header().Set("Content-Length", strconv.FormatInt(info.Size(), 10))
	w.WriteHeader(d.FileStatus)
	if req.Method != "HEAD" {
		io.Copy(w, f)
	}
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
