package stack

import (
	"path/filepath"
	"slices"
)

// resolvePath resolves a path written at `at` as Compose resolves
// relative paths: against the project folder when it was written in one
// of the stack files, against its own file's folder when it came from a
// file pulled in with extends or include.
func (m *model) resolvePath(at keyPath, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	base := m.dir
	if pos, ok := m.loc.exact(at); ok && len(at) > 0 && !slices.Contains(m.files, pos.File) {
		base = filepath.Dir(pos.File)
	}
	return filepath.Join(base, p)
}
