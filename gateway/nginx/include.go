package nginx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// maxIncludeDepth stops runaway nesting that the cycle guard cannot see
// (a loop through symlinks). nginx itself would recurse until it runs out
// of file descriptors.
const maxIncludeDepth = 64

// include expands an `include` directive in place, as ngx_conf_include
// does: the path is relative to the conf prefix (the main config's folder,
// not the including file's); a pattern with * ? or [ is a glob(3) pattern
// that may match nothing; a plain path must exist. glob is false for geo
// blocks, which read their include as one file.
func (p *parser) include(lx *lexer, d *Directive, ctx context, glob bool) ([]*Directive, error) {
	at := Pos{File: lx.file, Line: lx.line}
	prod := p.fullName(cstr(d.Args[0]))
	if !glob || !strings.ContainsAny(prod, "*?[") {
		return p.includeFile(at, d, ctx, p.localPath(prod, false), true)
	}
	pattern := p.localPath(prod, true)
	matches := globFiles(pattern)
	if len(matches) == 0 {
		p.note(d, Warning, false, fmt.Sprintf("include pattern %q matched no files", pattern))
	}
	var out []*Directive
	for _, m := range matches {
		got, err := p.includeFile(at, d, ctx, m, false)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// includeFile reads one included file in ctx. A missing file whose name is
// a standard one (uwsgi_params...) is read from the shipped copies when
// standardOK, with a note, since nginx -t would refuse it here.
func (p *parser) includeFile(at Pos, d *Directive, ctx context, file string, standardOK bool) ([]*Directive, error) {
	if err := p.enter(at, file); err != nil {
		return nil, err
	}
	defer p.leave()
	src, err := readConfFile(file, at)
	if err != nil {
		base := path.Base(filepath.ToSlash(file))
		std, stdErr := fs.ReadFile(p.standard, base)
		if !standardOK || !errors.Is(err, fs.ErrNotExist) || stdErr != nil {
			return nil, err
		}
		p.note(d, Warning, true, fmt.Sprintf("%q does not exist; using the standard %s that Berth ships (Debian 12's)", file, base))
		return p.parseBody(newLexer(file, std), ctx, false, d)
	}
	return p.parseFile(file, src, ctx, d)
}

// enter pushes file on the stack of files being read, refusing a file
// that is already on it.
func (p *parser) enter(at Pos, file string) error {
	key := fileKey(file)
	for _, f := range p.reading {
		if f == key {
			return newError(at, `include of "%s" loops: the file is already being read`, file)
		}
	}
	if len(p.reading) >= maxIncludeDepth {
		return newError(at, `include of "%s" is nested too deeply (more than %d files)`, file, maxIncludeDepth)
	}
	p.reading = append(p.reading, key)
	return nil
}

func (p *parser) leave() { p.reading = p.reading[:len(p.reading)-1] }

func fileKey(file string) string {
	if abs, err := filepath.Abs(file); err == nil {
		return abs
	}
	return filepath.Clean(file)
}

// fullName is ngx_conf_full_name: a relative path is joined to the conf
// prefix. Both are production paths.
func (p *parser) fullName(name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	return joinPath(p.confPrefix, name)
}

// prodPath maps a local path under Prefix to the production path it
// stands for.
func (p *parser) prodPath(local string) string {
	if p.opts.Prefix == "" {
		return local
	}
	if rel, ok := under(local, p.opts.Prefix); ok {
		return joinPath(p.opts.ProdPrefix, rel)
	}
	return local
}

// localPath maps a production path under ProdPrefix to where it is read
// from here. For a glob pattern, the local prefix is escaped so that only
// the production part is a pattern.
func (p *parser) localPath(prod string, pattern bool) string {
	if p.opts.Prefix == "" {
		return prod
	}
	rel, ok := under(prod, p.opts.ProdPrefix)
	if !ok {
		return prod
	}
	base := p.opts.Prefix
	if pattern {
		base = globEscape(base)
	}
	return joinPath(base, rel)
}

// under reports whether path is dir or inside it, and the rest of the path.
func under(path, dir string) (string, bool) {
	path, dir = filepath.Clean(path), filepath.Clean(dir)
	switch {
	case path == dir:
		return "", true
	case dir == "/" && strings.HasPrefix(path, "/"):
		return path[1:], true
	case strings.HasPrefix(path, dir+"/"):
		return path[len(dir)+1:], true
	}
	return "", false
}

// joinPath joins like nginx, by concatenation, so paths read as written.
func joinPath(dir, rel string) string {
	switch {
	case rel == "":
		return dir
	case dir == "" || dir == ".":
		return rel
	case strings.HasSuffix(dir, "/"):
		return dir + rel
	}
	return dir + "/" + rel
}

// readConfFile reads a configuration file as nginx would. nginx names
// the including directive's line when open() fails, and no line when
// pread() fails. A file that is neither regular nor a folder (a device, a
// pipe) has size 0 to nginx and reads as empty; it is not opened, so it
// cannot block.
func readConfFile(file string, at Pos) ([]byte, error) {
	info, err := os.Stat(file)
	if err != nil {
		return nil, errnoError(at, fmt.Sprintf(`open() "%s" failed`, file), err)
	}
	switch {
	case info.IsDir() && info.Size() > 0:
		return nil, errnoError(Pos{}, fmt.Sprintf(`pread() "%s" failed`, file), syscall.EISDIR)
	case !info.Mode().IsRegular():
		return nil, nil
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, errnoError(at, fmt.Sprintf(`open() "%s" failed`, file), err)
	}
	return src, nil
}
