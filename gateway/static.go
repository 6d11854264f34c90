package gateway

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// FileSystem answers the file tests nginx makes: try_files, index, `if
// -f`, and the static handler; and reads the files it reads per request
// (auth_basic_user_file). The gateway uses the disk; tests may give
// anything with the same answers.
type FileSystem interface {
	Stat(name string) (fs.FileInfo, error)
	ReadFile(name string) ([]byte, error)
}

type osFiles struct{}

func (osFiles) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }
func (osFiles) ReadFile(name string) ([]byte, error)  { return os.ReadFile(name) }

// documentRoot is $document_root: root (relative ones against the prefix).
func (st *state) documentRoot() string {
	root := "html"
	if d := st.conf.Get("root"); d != nil {
		root = st.vars.expand(d.Args[0])
	}
	if !strings.HasPrefix(root, "/") {
		root = strings.TrimSuffix(st.opts.Prefix, "/") + "/" + root
	}
	return root
}

// mapPath is ngx_http_map_uri_to_path: root + URI, or for alias the
// location's prefix replaced (a regex location's alias is the whole path).
func (st *state) mapPath(uri string) string {
	if a := st.conf.Get("alias"); a != nil && st.loc != nil {
		alias := st.vars.expand(a.Args[0])
		if st.loc.Regex != nil {
			return alias
		}
		if strings.HasPrefix(uri, st.loc.Name) {
			return alias + uri[len(st.loc.Name):]
		}
		return alias + uri
	}
	return st.documentRoot() + uri
}

// requestFilename is $request_filename.
func (st *state) requestFilename() string { return st.mapPath(st.vars.uri) }

// tryFiles is ngx_http_try_files_handler.
func (st *state) tryFiles() phase {
	// try_files is not inherited: each level has its own or none.
	levelConf := st.server.Conf
	if st.loc != nil {
		levelConf = st.loc.Conf
	}
	own := levelConf.Own("try_files")
	if len(own) == 0 {
		return phaseContent
	}
	d := own[len(own)-1]
	for _, a := range d.Args[:len(d.Args)-1] {
		// A trailing "/" written in the config asks for a directory and
		// is dropped from the name (ngx_http_try_files: test_dir).
		wantDir := strings.HasSuffix(a, "/")
		name := st.vars.expand(strings.TrimSuffix(a, "/"))
		info, err := st.opts.Files.Stat(st.mapPath(name))
		if err != nil || (wantDir && !info.IsDir()) || (!wantDir && !info.Mode().IsRegular()) {
			continue
		}
		st.d.Trace = append(st.d.Trace, fmt.Sprintf("try_files at %s found %q", d.Pos, name))
		if st.conf.Get("alias") == nil || st.loc == nil || st.loc.Regex != nil {
			st.vars.uri = name
		}
		return phaseContent
	}
	last := st.vars.expand(d.Args[len(d.Args)-1])
	switch {
	case strings.HasPrefix(last, "="):
		var code int
		fmt.Sscanf(last[1:], "%d", &code)
		return st.finalize(code, fmt.Sprintf("try_files at %s: no file, %s", d.Pos, last))
	case strings.HasPrefix(last, "@"):
		return st.namedLocation(last[1:], fmt.Sprintf("try_files at %s", d.Pos))
	}
	uri, args, _ := strings.Cut(last, "?")
	return st.internalRedirect(uri, args, fmt.Sprintf("try_files at %s", d.Pos))
}

// static is the content phase without a handler: the index module for a
// URI ending in "/", then the static module (ngx_http_static_handler).
func (st *state) static() phase {
	uri := st.vars.uri
	if strings.HasSuffix(uri, "/") {
		return st.index()
	}
	switch st.d.Method {
	case "GET", "HEAD", "POST":
	default:
		return st.finalize(405, "the static handler takes GET, HEAD and POST only")
	}
	p := st.mapPath(uri)
	info, err := st.opts.Files.Stat(p)
	switch {
	case err != nil:
		return st.finalize(404, fmt.Sprintf("no file %s", p))
	case info.IsDir():
		st.d.Redirect = st.absolute(EscapeURI(uri, EscapeKindURI) + "/" + argsSuffix(st.vars.args))
		return st.finalize(301, fmt.Sprintf("%s is a directory", p))
	case st.d.Method == "POST":
		return st.finalize(405, "the static handler does not take POST for a file")
	case st.bodyBroken():
		// Discarding the body found it broken.
		return st.finalize(400, "client sent invalid chunked body")
	}
	st.d.File, st.d.FileStatus = p, 200
	switch {
	case st.errStatus != 0:
		st.d.FileStatus = st.errStatus
	case !st.subrequest: // nginx's not-modified filter leaves subrequests alone
		switch notModified(st.vars.header, info.ModTime(), etagFor(st.conf, info), ifModifiedSince(st.conf)) {
		case 412:
			st.d.File, st.d.FileStatus = "", 0
			return st.finalize(412, "a precondition of the request failed (If-Match, If-Unmodified-Since)")
		case 304:
			st.d.FileStatus = 304
		}
	}
	return phaseDone
}

// index is ngx_http_index_handler: the first index file that exists is
// served through an internal redirect; none gives 403 (autoindex off),
// and a missing directory 404.
func (st *state) index() phase {
	names := []string{"index.html"}
	if d := st.conf.List("index"); len(d) > 0 {
		names = nil
		for _, x := range d {
			names = append(names, x.Args...)
		}
	}
	dir := st.mapPath(st.vars.uri)
	for i, n := range names {
		n = st.vars.expand(n)
		if strings.HasPrefix(n, "/") {
			if i == len(names)-1 {
				return st.internalRedirect(n, st.vars.args, "index")
			}
			if _, err := st.opts.Files.Stat(st.mapPath(n)); err == nil {
				return st.internalRedirect(n, st.vars.args, "index")
			}
			continue
		}
		if info, err := st.opts.Files.Stat(path.Join(dir, n)); err == nil && !info.IsDir() {
			return st.internalRedirect(st.vars.uri+n, st.vars.args, "index")
		}
	}
	if info, err := st.opts.Files.Stat(dir); err != nil || !info.IsDir() {
		return st.finalize(404, fmt.Sprintf("no directory %s", dir))
	}
	return st.finalize(403, fmt.Sprintf("directory index of %s is forbidden", dir))
}
