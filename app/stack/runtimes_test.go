package stack

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/berth-dev/berth/engine"
)

func TestRuntimesAServiceCanUse(t *testing.T) {
	dir := t.TempDir()
	compose := `services:
  both:
    image: shop/api:dev
    command: ["./api", "--port", "8000"]
  built:
    build: ./web
  image-only:
    image: postgres:16
  process:
    command: ["./worker"]
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "web"), 0o755)
	st, err := Load(context.Background(), LoadOptions{WorkDir: dir, Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]engine.RuntimeKind{
		"both":       {engine.Process, engine.Container},
		"built":      {engine.Container},
		"image-only": {engine.Container},
		"process":    {engine.Process},
		"missing":    nil,
	} {
		if got := st.Runtimes(name); !reflect.DeepEqual(got, want) {
			t.Errorf("Runtimes(%q) = %v, want %v", name, got, want)
		}
	}
}
