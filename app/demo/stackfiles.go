package demo

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/resources"
)

// BinEnv is the variable the demo's compose.yaml takes Berth's executable
// from; set it in stack.LoadOptions.Env when loading the demo.
const BinEnv = "BERTH_BIN"

// WriteStack writes the built-in demo stack (resources.Demo) into dir,
// creating it and replacing the files of an earlier copy, so that a newer
// Berth brings its own demo. Files of dir that the demo lacks are left.
func WriteStack(dir string) error {
	src := resources.Demo()
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("writing the demo stack: %w", err)
	}
	return nil
}
