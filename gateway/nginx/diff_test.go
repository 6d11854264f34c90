package nginx

import (
	goflag "flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	nginxDiff     = goflag.Int("nginx-diff", 0, "compare this many random configs with nginx -t")
	nginxDiffSeed = goflag.Uint64("nginx-diff-seed", 1, "seed for -nginx-diff")
)

// diffPieces are the bits random configs are made of: the characters the
// lexer treats specially, and a few directives whose handlers accept
// anything, so that nginx's verdict comes from its reader.
var diffPieces = []string{
	" ", " ", "\n", "\n", "\t", "\r\n", ";", ";", "{", "}", "}", "#", "\"", "'", "\\", "$", "${", "(", ")",
	"a", "x y", "add_header X v", "add_header", "server", "server {", "location / {", "location",
	"types {", "map $uri $m {", "upstream u {", "server 127.0.0.1:1", "if ($uri) {", "\\\"", "\\n", "'a b'", "\"a;b\"",
}

// TestRandomAgainstNginx builds random configs from lexer-sensitive pieces
// and checks that Berth (with unknown directives as errors, as nginx
// has them) fails with nginx's message on nginx's line, or succeeds when
// nginx does.
func TestRandomAgainstNginx(t *testing.T) {
	if *nginxDiff == 0 {
		t.Skip("run with -nginx-diff N")
	}
	bin := nginxBinary(t)
	rng := rand.New(rand.NewPCG(*nginxDiffSeed, 2))
	dir := t.TempDir()
	entry := filepath.Join(dir, "t.conf")
	bad := 0
	outcomes := map[string]int{}
	defer func() { t.Logf("nginx verdicts: %v", outcomes) }()
	for i := range *nginxDiff {
		src := randomConfig(rng, i%2 == 0)
		if err := os.WriteFile(entry, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Parse(entry, []byte(src), Options{Top: SnippetConf, unknownIsError: true})
		got := berthText(dir, err)
		want, err := nginxRun(bin, dir, "t.conf", true)
		if err != nil {
			t.Fatal(err)
		}
		kind, _, _ := strings.Cut(want, `"`)
		outcomes[kind]++
		if got != want && !handlerError(want) {
			t.Errorf("case %d %q:\n berth %s\n nginx %s", i, src, got, want)
			if bad++; bad > 20 {
				t.FailNow()
			}
		}
	}
}

// handlerError tells nginx messages from directive handlers, which the
// reader does not produce.
func handlerError(msg string) bool {
	return msg != "" && !isReaderMessage(msg) && !strings.HasPrefix(msg, "unknown directive")
}

// statementNames are directives whose handlers accept most arguments in
// http, server or location context, so random words reach the reader's
// checks rather than a handler's.
var statementNames = []string{"add_header", "server", "location", "types", "map", "upstream", "if", "include",
	"gzip", "listen", "return", "limit_except", "split_clients", "geo", "charset_map", "server_name", "proxy_pass", "events"}

var wordPieces = []string{"a", "b", "/x", "$uri", "${host}", "\\", "\\\"", "\\n", "\"", "'", "#", "{", "}", ";", "(", ")", "on", "off", "1", "$"}

// randomConfig makes either a soup of pieces or a sequence of statements
// with random words.
func randomConfig(rng *rand.Rand, soup bool) string {
	var b strings.Builder
	if soup {
		for range 1 + rng.IntN(40) {
			b.WriteString(diffPieces[rng.IntN(len(diffPieces))])
		}
		return b.String()
	}
	for range 1 + rng.IntN(12) {
		if rng.IntN(5) == 0 {
			b.WriteString("}")
		} else {
			b.WriteString(statementNames[rng.IntN(len(statementNames))])
			for range rng.IntN(4) {
				b.WriteString([]string{" ", "  ", "\t", "\n"}[rng.IntN(4)])
				quote := []string{"", "", "\"", "'"}[rng.IntN(4)]
				b.WriteString(quote)
				for range 1 + rng.IntN(3) {
					b.WriteString(wordPieces[rng.IntN(len(wordPieces))])
				}
				b.WriteString(quote)
			}
			b.WriteString([]string{";", ";", " {", "{", ";\n", " {\n"}[rng.IntN(6)])
		}
		b.WriteString([]string{"", " ", "\n", "\n# c\n"}[rng.IntN(4)])
	}
	return b.String()
}
