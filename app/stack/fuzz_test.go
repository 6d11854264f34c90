package stack

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary stack files to Load: it may refuse them, but
// must not panic, and a refusal must name the file.
func FuzzLoad(f *testing.F) {
	entries, _ := os.ReadDir(fixturesDir)
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(fixturesDir, e.Name(), "compose.yaml")); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		file := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(t.Context(), LoadOptions{WorkDir: dir, Env: []string{}, ProjectName: "fuzz"})
		if err == nil {
			return
		}
		if se, ok := err.(*Error); ok && se.File == "" {
			t.Errorf("error without a file: %v", err)
		}
	})
}
