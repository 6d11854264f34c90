// Package nginx reads nginx configuration files into a syntax tree, exactly
// as nginx's own reader (ngx_conf_read_token, ngx_conf_parse) does: the same
// tokens, the same include rules, and errors worded as `nginx -t` words them,
// each with its file and line. It knows nothing of what directives mean
// beyond where they may appear and how many arguments they take.
package nginx

import (
	"fmt"
	"strings"
)

// Pos is where a node starts in the user's files.
type Pos struct {
	File string // path as opened (after any prefix mapping)
	Line int    // 1-based
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Directive is one simple directive (`name args;`) or block directive
// (`name args { ... }`). Included files are spliced in place, as nginx does,
// so a Directive's Pos may name a different file from its parent's.
type Directive struct {
	Name  string
	Args  []string // unquoted, unescaped; variables kept verbatim ("$host")
	Block []*Directive
	// IsBlock tells `name {}` (an empty block) from `name;`.
	IsBlock bool
	Pos     Pos
	// NginxLine is the line nginx names in errors about this directive:
	// where its ";" or "{" is (Pos.Line is where its name is).
	NginxLine int
	// BlockOffset is the byte offset in Pos.File just after the block's
	// opening "{", or -1 for simple directives. Tools that annotate a file
	// in place (the differential tests) use it.
	BlockOffset int
	// IncludedFrom is the `include` directive that brought this directive
	// in: every directive read from an included file, nested ones too,
	// points at it. nil for directives of the main file.
	IncludedFrom *Directive
}

// Error is a configuration error as nginx reports it: a message and where.
type Error struct {
	Pos Pos
	Msg string // worded as nginx words it, without the "in file:line" tail

	cause error // the system error behind an open() or pread() failure
}

// Unwrap gives the system error behind a file error, so callers can test
// errors.Is(err, fs.ErrNotExist).
func (e *Error) Unwrap() error { return e.cause }

func (e *Error) Error() string {
	if e.Pos.File == "" {
		return e.Msg
	}
	return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
}

// NginxText renders the error the way `nginx -t` prints it, for comparing
// with nginx itself: `msg in file:line`.
func (e *Error) NginxText() string {
	if e.Pos.File == "" {
		return e.Msg
	}
	return fmt.Sprintf("%s in %s", e.Msg, e.Pos)
}

// Severity of an import note.
type Severity int

const (
	Info Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "info"
}

// Note is one line of the import report: something the user should know
// about how Berth read the configuration. Notes are never errors: an error
// stops the import.
type Note struct {
	Pos      Pos
	Severity Severity
	// Directive is the directive the note is about, when there is one.
	Directive string
	Msg       string
	// NginxRefuses is set when `nginx -t` would refuse what Berth accepted
	// (a standard include file Berth supplied, an unknown directive).
	NginxRefuses bool
}

func (n Note) String() string {
	s := fmt.Sprintf("%s: %s: %s", n.Pos, n.Severity, n.Msg)
	if n.NginxRefuses {
		s += " (nginx -t would refuse this)"
	}
	return s
}

// ErrPos is where nginx reports errors about d: its file and NginxLine.
func (d *Directive) ErrPos() Pos { return Pos{File: d.Pos.File, Line: d.NginxLine} }

// Config is a parsed configuration: the main file with includes spliced in.
type Config struct {
	File string // the main file
	// Snippet is set when the main file is a conf.d snippet rather than a
	// full nginx.conf: its top level is then the http context, as if
	// included from http {}.
	Snippet bool
	Root    []*Directive // top-level directives
	Notes   []Note       // what the reader accepted but the user should know
	// Files lists every file read from disk, in the order first read
	// (standard files Berth supplied are not among them; see Notes).
	Files []string

	// confPrefix and local map the names of files the config reads at
	// start (certificates) as they map includes: see ConfFile.
	confPrefix string
	local      func(prod string) string
}

// ConfFile is where a file named in a directive (a certificate) is read
// from here: a relative name joins the conf prefix, as
// ngx_conf_full_name(cycle, name, 1) does, and a production path under
// the config folder maps to the local copy, as includes do.
func (c *Config) ConfFile(name string) string {
	if !strings.HasPrefix(name, "/") {
		name = joinPath(c.confPrefix, name)
	}
	if c.local == nil {
		return name
	}
	return c.local(name)
}
