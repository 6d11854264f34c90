package nginx

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/berth-dev/berth/fixtures/nginxtest"
)

// nginxBinary finds the real nginx the reader is checked against, or
// fails the test: a missing nginx must not pass unnoticed.
func nginxBinary(t testing.TB) string {
	t.Helper()
	bin, err := nginxtest.Binary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// emergRE finds nginx's error; the message may span lines (a word with a
// newline in it), so it ends where nginx's next log line starts.
var emergRE = regexp.MustCompile(`(?s)\[(?:emerg|alert|crit)\] (?:\d+#\d+: )?(.*?)\n(?:nginx: |\d{4}/\d\d/\d\d |$)`)

// nginxCheck runs `nginx -t` on dir/entry and returns nginx's first
// [emerg], [alert] or [crit] message with "dir/" removed from paths, or ""
// when the test succeeds. A snippet entry is read as conf.d files are:
// included from http {} in a generated nginx.conf. Nothing outside dir is
// written: the error log goes to stderr, and -t starts no workers.
func nginxCheck(t testing.TB, dir, entry string, snippet bool) string {
	t.Helper()
	msg, err := nginxRun(nginxBinary(t), dir, entry, snippet)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// nginxRun is nginxCheck for use off the test goroutine.
func nginxRun(bin, dir, entry string, snippet bool) (string, error) {
	conf := filepath.Join(dir, entry)
	if snippet {
		conf = filepath.Join(dir, "nginx-wrapper.conf")
		wrapper := "events {}\nhttp { include " + filepath.Join(dir, entry) + "; }\n"
		if err := os.WriteFile(conf, []byte(wrapper), 0o644); err != nil {
			return "", err
		}
		defer os.Remove(conf)
	}
	cmd := exec.Command(bin, "-t", "-q", "-p", dir+"/", "-c", conf, "-g", "error_log stderr;")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return "", fmt.Errorf("running nginx: %w", err)
	}
	if exit != nil && exit.ExitCode() != 1 {
		return "nginx crashed: " + exit.String(), nil
	}
	if m := emergRE.FindStringSubmatch(stderr.String()); m != nil {
		return strings.ReplaceAll(m[1], dir+"/", ""), nil
	}
	if err != nil {
		return "", fmt.Errorf("nginx -t failed without a message: %s", stderr.String())
	}
	return "", nil
}

// writeFiles writes a test's files into dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
