package nginx

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/resources"
)

// Options says where the configuration lives.
type Options struct {
	// Prefix is a local folder standing in for the production config
	// folder (as `nginx -p` would); "" means none: paths are read as they
	// are written.
	Prefix string
	// ProdPrefix is the production config folder that Prefix replaces;
	// "" means "/etc/nginx".
	ProdPrefix string
	// Standard holds the standard include files by base name, used when a
	// config includes one that is missing. nil means Berth's copies
	// (resources.StandardNginxFiles).
	Standard fs.FS

	// Top says how to read the main file's top level; the zero value
	// detects it.
	Top TopLevel

	// unknownIsError makes unknown directives errors, as in nginx; the
	// differential tests use it to compare whole files with nginx -t.
	unknownIsError bool
}

// TopLevel is how the main file's top level is read.
type TopLevel int

const (
	// Detect reads a file with a main-only directive (events, http,
	// worker_processes...) at its top level as a full nginx.conf, and any
	// other file as a conf.d snippet.
	Detect TopLevel = iota
	// MainConf reads the file as a full nginx.conf (main context).
	MainConf
	// SnippetConf reads the file as a conf.d snippet: its top level is the
	// http context, as when nginx.conf includes it from http {}.
	SnippetConf
)

// DefaultProdPrefix is where Debian's nginx keeps its configuration.
const DefaultProdPrefix = "/etc/nginx"

// ParseFile reads the configuration file at path and everything it
// includes. Errors are *Error.
func ParseFile(path string, opts Options) (*Config, error) {
	src, err := readConfFile(path, Pos{})
	if err != nil {
		return nil, err
	}
	return Parse(path, src, opts)
}

// Parse reads a configuration from memory, as if it were the file name.
// Includes are read from disk; relative ones resolve against the folder
// of name (or Prefix for a conf.d snippet). Errors are *Error.
func Parse(name string, src []byte, opts Options) (*Config, error) {
	p := newParser(name, src, opts)
	p.reading = []string{fileKey(name)}
	root, err := p.parseFile(name, src, p.topContext(), nil)
	if err != nil {
		if p.firstUnknown != nil {
			return nil, p.firstUnknown
		}
		return nil, err
	}
	p.cfg.Root = root
	return p.cfg, nil
}

// parser holds the state of one Parse call.
type parser struct {
	opts     Options
	standard fs.FS
	// confPrefix is nginx's conf prefix in production terms: the folder
	// relative include paths are resolved against.
	confPrefix string
	cfg        *Config
	reading    []string // files being read, outermost first: the cycle guard
	read       map[string]bool
	// firstUnknown is nginx's error for the first unknown directive Berth
	// let through. If the file then fails to read, that is the error to
	// give: nginx stops there, and the later error is usually its echo
	// (an unquoted `\d{6}` splits a location into nonsense).
	firstUnknown *Error
}

func newParser(name string, src []byte, opts Options) *parser {
	if opts.ProdPrefix == "" {
		opts.ProdPrefix = DefaultProdPrefix
	}
	opts.ProdPrefix = strings.TrimRight(opts.ProdPrefix, "/")
	if opts.ProdPrefix == "" {
		opts.ProdPrefix = "/"
	}
	p := &parser{
		opts:     opts,
		standard: opts.Standard,
		cfg:      &Config{File: name},
		read:     map[string]bool{},
	}
	switch opts.Top {
	case MainConf:
	case SnippetConf:
		p.cfg.Snippet = true
	default:
		p.cfg.Snippet = !isFullConfig(name, src)
	}
	if p.standard == nil {
		p.standard = resources.StandardNginxFiles()
	}
	p.confPrefix = p.prodPath(filepath.Dir(name))
	if p.cfg.Snippet && opts.Prefix != "" {
		// A conf.d snippet is included by the production nginx.conf,
		// whose folder is the conf prefix.
		p.confPrefix = opts.ProdPrefix
	}
	p.cfg.confPrefix = p.confPrefix
	paths := &parser{opts: p.opts} // all localPath reads, not the whole parse
	p.cfg.local = func(prod string) string { return paths.localPath(prod, false) }
	return p
}

// topContext is the context of the main file's top level.
func (p *parser) topContext() context {
	if p.cfg.Snippet {
		return ctxHTTP
	}
	return ctxMain
}

// isFullConfig tells a full nginx.conf (main context) from a conf.d
// snippet (read inside http {}): a full one has a main-only directive such
// as `events`, `http` or `worker_processes` at its top level. It looks at
// the top level until the first syntax error, which the real parse reports.
func isFullConfig(name string, src []byte) bool {
	lx := newLexer(name, src)
	depth := 0
	for {
		st, err := lx.next()
		if err != nil || st.end == endFile {
			return false
		}
		if st.end == endClose {
			depth--
			continue
		}
		if depth == 0 && mainOnly(st.words[0]) {
			return true
		}
		if st.end == endBlock {
			depth++
		}
	}
}

// parseFile reads one file's directives in ctx. from is the include that
// brought the file in.
func (p *parser) parseFile(file string, src []byte, ctx context, from *Directive) ([]*Directive, error) {
	if !p.read[file] {
		p.read[file] = true
		p.cfg.Files = append(p.cfg.Files, file)
	}
	return p.parseBody(newLexer(file, src), ctx, false, from)
}

// parseBody reads statements until the end of the block (inBlock) or of
// the file, as ngx_conf_parse does.
func (p *parser) parseBody(lx *lexer, ctx context, inBlock bool, from *Directive) ([]*Directive, error) {
	var out []*Directive
	for {
		st, err := lx.next()
		if err != nil {
			return nil, err
		}
		switch st.end {
		case endClose:
			if !inBlock {
				return nil, lx.errorf(`unexpected "}"`)
			}
			return out, nil
		case endFile:
			if inBlock {
				return nil, lx.errorf(`unexpected end of file, expecting "}"`)
			}
			return out, nil
		}
		d := &Directive{
			Name:         st.words[0],
			Args:         st.words[1:],
			Pos:          Pos{File: lx.file, Line: st.line},
			NginxLine:    lx.line,
			BlockOffset:  -1,
			IncludedFrom: from,
		}
		var got []*Directive
		switch {
		case ctx.entries():
			if st.end == endBlock {
				return nil, lx.errorf(`unexpected "{"`)
			}
			got, err = p.entry(lx, ctx, d)
		default:
			got, err = p.directive(lx, ctx, d, st.end == endBlock)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
}

// directive checks one directive against the table as ngx_conf_handler
// does, reads its block, and expands it if it is an include.
func (p *parser) directive(lx *lexer, ctx context, d *Directive, block bool) ([]*Directive, error) {
	s, err := p.lookup(lx, ctx, d, block)
	if err != nil {
		return nil, err
	}
	if d.Name == "include" {
		return p.include(lx, d, ctx, true)
	}
	if s.flags&isBlock == 0 {
		return []*Directive{d}, nil
	}
	d.IsBlock = true
	d.BlockOffset = lx.pos
	inner := bodyContext(d.Name, ctx)
	if s.ctx == ctxOpaque {
		inner = ctxOpaque
	}
	if d.Block, err = p.parseBody(lx, inner, true, d.IncludedFrom); err != nil {
		return nil, err
	}
	return []*Directive{d}, nil
}

// lookup finds d's table row for ctx and applies nginx's generic checks.
// Directives in unchecked blocks, and unknown ones (with a note), get a
// row that accepts them as written.
func (p *parser) lookup(lx *lexer, ctx context, d *Directive, block bool) (spec, error) {
	unchecked := spec{name: d.Name, ctx: ctxOpaque}
	if block {
		unchecked.flags = isBlock
	}
	switch {
	case ctx == ctxOpaque && d.Name != "include":
		return unchecked, nil
	case ctx == ctxOpaque:
		ctx = ctxAny // include works everywhere, unchecked blocks too
	case len(specsByName[d.Name]) == 0 && p.opts.unknownIsError:
		return spec{}, lx.errorf(`unknown directive "%s"`, cstr(d.Name))
	case len(specsByName[d.Name]) == 0:
		p.note(d, Warning, true, fmt.Sprintf(`unknown directive "%s"`, cstr(d.Name)))
		if p.firstUnknown == nil {
			p.firstUnknown = lx.errorf(`unknown directive "%s"`, cstr(d.Name))
		}
		return unchecked, nil
	}
	s, ok := allowed(d.Name, ctx)
	if !ok {
		return spec{}, lx.errorf(`"%s" directive is not allowed here`, cstr(d.Name))
	}
	return s, checkDirective(lx, s, d, block)
}

// allowed finds the table row for name that may appear in ctx.
func allowed(name string, ctx context) (spec, bool) {
	for _, s := range specsByName[name] {
		if s.ctx&ctx != 0 {
			return s, true
		}
	}
	return spec{}, false
}

// checkDirective applies nginx's generic checks, in nginx's order: how
// the directive ends, how many arguments, and on/off values.
func checkDirective(lx *lexer, s spec, d *Directive, block bool) error {
	name := cstr(d.Name)
	if s.flags&isBlock == 0 && block {
		return lx.errorf(`directive "%s" is not terminated by ";"`, name)
	}
	if s.flags&isBlock != 0 && !block {
		return lx.errorf(`directive "%s" has no opening "{"`, name)
	}
	if !s.args.allows(len(d.Args)) {
		return lx.errorf(`invalid number of arguments in "%s" directive`, name)
	}
	if s.flags&onOff != 0 {
		v := cstr(d.Args[0])
		if !asciiEqualFold(v, "on") && !asciiEqualFold(v, "off") {
			return lx.errorf(`invalid value "%s" in "%s" directive, it must be "on" or "off"`, v, s.name)
		}
	}
	return nil
}

func (p *parser) note(d *Directive, sev Severity, refuses bool, msg string) {
	p.cfg.Notes = append(p.cfg.Notes, Note{
		Pos: d.Pos, Severity: sev, Directive: d.Name, Msg: msg, NginxRefuses: refuses,
	})
}

// asciiEqualFold is nginx's ngx_strcasecmp: ASCII letters only.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
