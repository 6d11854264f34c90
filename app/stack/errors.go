package stack

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Error is a problem in a stack file: the file, the line where known, and
// what is wrong. It prints as `compose.yaml:12: message`.
type Error struct {
	File string // absolute
	Line int    // 0 when unknown
	Msg  string
	Err  error // compose-go's error, when it came from there
}

func (e *Error) Error() string {
	name := displayPath(e.File)
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", name, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", name, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// displayPath shows a file relative to the current directory when it is
// inside it, else as it is.
func displayPath(file string) string {
	wd, err := os.Getwd()
	if err != nil {
		return file
	}
	rel, err := filepath.Rel(wd, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return file
	}
	return rel
}

// fieldErr places a schema error in the file and line where its key was
// written.
func (m *model) fieldErr(fe *fieldError) error {
	pos, ok := m.loc.find(fe.Path)
	if !ok {
		pos = position{File: m.files[0]}
	}
	return &Error{File: pos.File, Line: pos.Line, Msg: fe.Msg}
}
