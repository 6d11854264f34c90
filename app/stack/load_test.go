package stack

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of fixtures/stacks")

// fixturesDir holds one folder per case: the stack files, an optional
// args.txt (the command line, as `berth up` takes it), and either
// stack.golden (the loaded Stack rendered) or error.want (the error).
const fixturesDir = "../../fixtures/stacks"

// caseOptions reads a case's args.txt: -f FILE (relative to the case
// folder), --profile P, --env KEY=VALUE, -p NAME. Without -f the files are
// found in the folder as Compose finds them. The environment is only
// what --env gives, so that nothing from the machine leaks in.
func caseOptions(t *testing.T, dir string) LoadOptions {
	t.Helper()
	opts := LoadOptions{Env: []string{}}
	b, err := os.ReadFile(filepath.Join(dir, "args.txt"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	args := strings.Fields(string(b))
	for i := 0; i < len(args); i++ {
		if i+1 >= len(args) {
			t.Fatalf("args.txt: %s needs a value", args[i])
		}
		switch v := args[i+1]; args[i] {
		case "-f":
			opts.Files = append(opts.Files, filepath.Join(dir, v))
		case "--profile":
			opts.Profiles = append(opts.Profiles, v)
		case "--env":
			opts.Env = append(opts.Env, v)
		case "-p":
			opts.ProjectName = v
		default:
			t.Fatalf("args.txt: unknown flag %s", args[i])
		}
		i++
	}
	if len(opts.Files) == 0 {
		opts.WorkDir = dir
	}
	return opts
}

// errorText writes an error as the .want files hold it: file names
// relative to the case folder.
func errorText(err error, dir string) string {
	abs, _ := filepath.Abs(dir)
	var se *Error
	if errors.As(err, &se) {
		name := se.File
		if rel, err := filepath.Rel(abs, se.File); err == nil {
			name = filepath.ToSlash(rel)
		}
		c := *se
		c.File = name
		return strings.ReplaceAll(formatError(&c), abs+string(filepath.Separator), "")
	}
	return strings.ReplaceAll(err.Error(), abs+string(filepath.Separator), "")
}

// formatError is Error.Error without making the file relative to the
// current directory.
func formatError(e *Error) string {
	if e.Line > 0 {
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return e.File + ": " + e.Msg
}

func TestFixtures(t *testing.T) {
	entries, err := os.ReadDir(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(fixturesDir, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			st, err := Load(t.Context(), caseOptions(t, dir))
			wantErr := filepath.Join(dir, "error.want")
			if _, statErr := os.Stat(wantErr); statErr == nil {
				if err == nil {
					t.Fatalf("loaded, want the error in %s", wantErr)
				}
				compareGolden(t, wantErr, errorText(err, dir)+"\n")
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			compareGolden(t, filepath.Join(dir, "stack.golden"), render(st))
		})
	}
}

func compareGolden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got\n%s--- want\n%s", file, got, want)
	}
}
