package nginx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readerMessages are the errors the reader owns; the others in
// fixtures/nginx/invalid (duplicate location, bad listen...) come from
// nginx's directive handlers, which the gateway's compile step mirrors.
var readerMessages = []string{
	"unexpected ", "directive is not allowed here", "is not terminated by", "has no opening",
	"invalid number of arguments in", `it must be "on" or "off"`, "open() ", "too long parameter",
	"invalid number of the map parameters", "invalid number of the geo parameters",
}

// TestInvalidFixtures reads every fixtures/nginx/invalid/*.conf and
// compares with nginx's verdict in the .want file (written by nginx
// itself): a reader error must be the same, on the same line; an unknown
// directive must be a note on that line; a handler error is not the
// reader's, so the reader must not fail before that line.
func TestInvalidFixtures(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join(fixturesDir, "invalid"))
	if err != nil {
		t.Fatal(err)
	}
	confs, _ := filepath.Glob(filepath.Join(dir, "*.conf"))
	if len(confs) == 0 {
		t.Fatalf("no fixtures in %s", dir)
	}
	for _, conf := range confs {
		name := strings.TrimSuffix(filepath.Base(conf), ".conf")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, name+".want"))
			if err != nil {
				t.Fatalf("every invalid fixture needs its .want file: %v", err)
			}
			file, rest, _ := strings.Cut(strings.TrimSpace(string(raw)), ":")
			lineText, msg, _ := strings.Cut(rest, ": ")
			line, _ := strconv.Atoi(lineText)
			want := fmt.Sprintf("%s in %s:%d", msg, file, line)

			cfg, err := ParseFile(conf, Options{})
			got := strings.ReplaceAll(berthText(dir, err), dir+"/", "")
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("not an *Error: %v", err)
			}
			switch {
			case strings.HasPrefix(msg, "unknown directive"):
				if cfg == nil {
					// The file fails further on; the error Berth gives is
					// the unknown directive, as nginx's.
					if got != want {
						t.Fatalf("\n got %s\nwant %s", got, want)
					}
					return
				}
				for _, n := range cfg.Notes {
					if n.Msg == msg && n.Pos.Line == line && n.NginxRefuses {
						return
					}
				}
				t.Errorf("no note %q on line %d; notes: %v", msg, line, cfg.Notes)
			case isReaderMessage(msg):
				if got != want {
					t.Errorf("\n got %s\nwant %s", got, want)
				}
			default:
				if err != nil && e.Pos.Line <= line {
					t.Errorf("reader failed before nginx's handler error (%s): %s", want, got)
				}
			}
		})
	}
}

func isReaderMessage(msg string) bool {
	for _, m := range readerMessages {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}
