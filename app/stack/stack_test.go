package stack

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeStack writes files (name -> content) into a new folder.
func writeStack(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustLoad(t *testing.T, opts LoadOptions) *Stack {
	t.Helper()
	if opts.Env == nil {
		opts.Env = []string{}
	}
	st, err := Load(t.Context(), opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return st
}

// Compose turns $$ into $ when it interpolates, so a command keeps $PORT
// and ${BERTH_SOCKET} for Berth to expand when it starts the process,
// while ${VAR} is Compose's.
func TestDollarEscapeReachesTheEngine(t *testing.T) {
	dir := writeStack(t, map[string]string{"compose.yaml": `
services:
  web:
    command: serve --port $$PORT --socket $${BERTH_SOCKET} --name ${NAME:-web} --cost $$$$5
    environment:
      LISTEN: ":$$PORT"
    x-berth:
      port: 0
  api:
    command: ignored
    x-berth:
      command: ["api", "--listen=127.0.0.1:$${PORT}", "${MODE}"]
      socket: true
`})
	st := mustLoad(t, LoadOptions{WorkDir: dir, Env: []string{"MODE=dev"}})
	web, _ := st.Service("web")
	want := []string{"serve", "--port", "$PORT", "--socket", "${BERTH_SOCKET}", "--name", "web", "--cost", "$$5"}
	if !slices.Equal(web.Command, want) {
		t.Errorf("web command = %q, want %q", web.Command, want)
	}
	if web.Env["LISTEN"] != ":$PORT" {
		t.Errorf("web LISTEN = %q, want %q", web.Env["LISTEN"], ":$PORT")
	}
	api, _ := st.Service("api")
	want = []string{"api", "--listen=127.0.0.1:${PORT}", "dev"}
	if !slices.Equal(api.Command, want) {
		t.Errorf("api command = %q, want %q", api.Command, want)
	}
}

// Compose's command rules: a string is split into words with shell
// quoting, but no shell runs it.
func TestCommandIsSplitNotShelled(t *testing.T) {
	dir := writeStack(t, map[string]string{"compose.yaml": `
services:
  a:
    command: echo "two words" 'single $$HOME' a\ b "x;y" $$(date)
  b:
    entrypoint: /bin/sh -c
    command: ["echo hi && sleep 1"]
`})
	st := mustLoad(t, LoadOptions{WorkDir: dir})
	a, _ := st.Service("a")
	if want := []string{"echo", "two words", "single $HOME", "a b", "x;y", "$(date)"}; !slices.Equal(a.Command, want) {
		t.Errorf("a = %q, want %q", a.Command, want)
	}
	b, _ := st.Service("b")
	if want := []string{"/bin/sh", "-c", "echo hi && sleep 1"}; !slices.Equal(b.Command, want) {
		t.Errorf("b = %q, want %q", b.Command, want)
	}
}

// Without -f, Compose looks for its file names in the folder and then its
// parents; the project folder is where the file was found.
func TestDefaultFileFoundInParent(t *testing.T) {
	dir := writeStack(t, map[string]string{
		"docker-compose.yml": "services:\n  web:\n    command: sleep 1\n",
		"sub/deeper/.keep":   "",
	})
	st := mustLoad(t, LoadOptions{WorkDir: filepath.Join(dir, "sub", "deeper")})
	if st.Files[0] != filepath.Join(dir, "docker-compose.yml") {
		t.Errorf("files = %v", st.Files)
	}
	if st.Dir != filepath.Join(dir, "sub", "deeper") {
		// --project-directory was given explicitly: Compose keeps it.
		t.Errorf("dir = %s", st.Dir)
	}

	st = mustLoad(t, LoadOptions{Files: []string{filepath.Join(dir, "docker-compose.yml")}})
	if st.Dir != dir {
		t.Errorf("with -f, dir = %s, want the file's folder %s", st.Dir, dir)
	}
}

func TestNoStackFile(t *testing.T) {
	_, err := Load(t.Context(), LoadOptions{WorkDir: t.TempDir(), Env: []string{}})
	if !errors.Is(err, ErrNoStackFile) {
		t.Fatalf("err = %v, want ErrNoStackFile", err)
	}
}

// -p wins over COMPOSE_PROJECT_NAME, which wins over name:, which wins
// over the folder's name.
func TestProjectNamePrecedence(t *testing.T) {
	named := writeStack(t, map[string]string{"compose.yaml": "name: from-file\nservices:\n  web:\n    command: sleep 1\n"})
	plain := writeStack(t, map[string]string{"My Stack/compose.yaml": "services:\n  web:\n    command: sleep 1\n"})
	for _, tc := range []struct {
		name string
		opts LoadOptions
		want string
	}{
		{"flag", LoadOptions{WorkDir: named, ProjectName: "flag", Env: []string{"COMPOSE_PROJECT_NAME=env"}}, "flag"},
		{"env", LoadOptions{WorkDir: named, Env: []string{"COMPOSE_PROJECT_NAME=env"}}, "env"},
		{"file", LoadOptions{WorkDir: named}, "from-file"},
		{"folder", LoadOptions{WorkDir: filepath.Join(plain, "My Stack")}, "mystack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st := mustLoad(t, tc.opts); st.Name != tc.want {
				t.Errorf("name = %q, want %q", st.Name, tc.want)
			}
		})
	}
	if _, err := Load(t.Context(), LoadOptions{WorkDir: named, ProjectName: "Bad Name", Env: []string{}}); err == nil {
		t.Error("an invalid -p was accepted")
	}
}

// COMPOSE_PROFILES, from the environment or .env, enables profiles when
// none are given.
func TestComposeProfilesFromDotEnv(t *testing.T) {
	dir := writeStack(t, map[string]string{
		".env": "COMPOSE_PROFILES=tools\n",
		"compose.yaml": `
services:
  web:
    command: sleep 1
  tool:
    command: sleep 1
    profiles: [tools]
`,
	})
	st := mustLoad(t, LoadOptions{WorkDir: dir})
	if _, ok := st.Service("tool"); !ok {
		t.Error("tool not enabled by COMPOSE_PROFILES in .env")
	}
	st = mustLoad(t, LoadOptions{WorkDir: dir, Profiles: []string{"other"}})
	if _, ok := st.Service("tool"); ok {
		t.Error("--profile did not replace COMPOSE_PROFILES")
	}
}

// Errors print the file relative to the current folder when it is below
// it, and unwrap to compose-go's error.
func TestErrorText(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	e := &Error{File: filepath.Join(wd, "x", "compose.yaml"), Line: 12, Msg: `x-berth: unknown key "comand"`}
	if got, want := e.Error(), filepath.Join("x", "compose.yaml")+`:12: x-berth: unknown key "comand"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &Error{File: "/elsewhere/compose.yaml", Msg: "broken"}
	if got := e.Error(); got != "/elsewhere/compose.yaml: broken" {
		t.Errorf("Error() = %q", got)
	}

	dir := writeStack(t, map[string]string{"compose.yaml": "services:\n  web:\n    command: sleep 1\n    depends_on: [db]\n"})
	_, err = Load(t.Context(), LoadOptions{WorkDir: dir, Env: []string{}})
	var se *Error
	if !errors.As(err, &se) || se.Line != 4 || se.Err == nil {
		t.Fatalf("err = %#v, want an *Error at line 4 wrapping compose-go's", err)
	}
}

// A process service has no image in the Project, and a service switched
// to process mode keeps its image for the container runtime.
func TestProjectKeepsRealImagesOnly(t *testing.T) {
	dir := writeStack(t, map[string]string{"compose.yaml": `
services:
  proc:
    command: sleep 1
  both:
    image: redis:7
    x-berth: {run: process, command: redis-server --port $$PORT, port: 6379}
`})
	st := mustLoad(t, LoadOptions{WorkDir: dir})
	if img := st.Project.Services["proc"].Image; img != "" {
		t.Errorf("proc image = %q, want none", img)
	}
	if img := st.Project.Services["both"].Image; img != "redis:7" {
		t.Errorf("both image = %q, want redis:7", img)
	}
	both, _ := st.Service("both")
	if both.Runtime != "process" || strings.Join(both.Command, " ") != "redis-server --port $PORT" {
		t.Errorf("both = %s %q", both.Runtime, both.Command)
	}
}
