package docker

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBuildContext(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile":                         "FROM scratch\n",
		"docker/Web.Dockerfile":              "FROM scratch\n",
		"docker/Web.Dockerfile.dockerignore": "*\n!app.go\n",
		".dockerignore":                      "*.log\n!keep.log\nsecret/\nnode_modules\n",
		"app.go":                             "package main\n",
		"debug.log":                          "x",
		"keep.log":                           "x",
		"secret/key":                         "x",
		"node_modules/a/b":                   "x",
		"src/lib.go":                         "package lib\n",
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(t.TempDir(), "Other.Dockerfile")
	if err := os.WriteFile(outside, []byte("FROM scratch\n# outside\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, dockerfile, inline string
		want                     string // the tar's names, then the Dockerfile's name
	}{
		{"default Dockerfile and .dockerignore", "", "",
			".dockerignore Dockerfile app.go docker/ docker/Web.Dockerfile docker/Web.Dockerfile.dockerignore keep.log src/ src/lib.go => Dockerfile"},
		{"a Dockerfile's own ignore file wins", "docker/Web.Dockerfile", "",
			".dockerignore app.go docker/Web.Dockerfile => docker/Web.Dockerfile"},
		{"a Dockerfile outside the context", outside, "",
			".berth.Dockerfile .dockerignore Dockerfile app.go docker/ docker/Web.Dockerfile docker/Web.Dockerfile.dockerignore keep.log src/ src/lib.go => .berth.Dockerfile"},
		{"dockerfile_inline", "", "FROM scratch\n",
			".berth.Dockerfile .dockerignore Dockerfile app.go docker/ docker/Web.Dockerfile docker/Web.Dockerfile.dockerignore keep.log src/ src/lib.go => .berth.Dockerfile"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bc, err := newBuildContext(dir, tc.dockerfile, tc.inline)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := bc.writeTar(&buf); err != nil {
				t.Fatal(err)
			}
			var names []string
			tr := tar.NewReader(&buf)
			for {
				hdr, err := tr.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				names = append(names, hdr.Name)
			}
			slices.Sort(names)
			if got := strings.Join(names, " ") + " => " + bc.dockerfile; got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	if _, err := newBuildContext(dir, "missing.Dockerfile", ""); err == nil || !strings.Contains(err.Error(), "reading the Dockerfile") {
		t.Errorf("missing Dockerfile: %v", err)
	}
}
